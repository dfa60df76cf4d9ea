import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A dead-letter queue for one async path. SQS-managed encryption, not the stack key: EventBridge
 * and Lambda can then deliver to it without a key grant that would need `kms:GenerateDataKey*`.
 * Fourteen days (the SQS maximum) leaves time to inspect and redrive after an alarm.
 */
export function deadLetterQueue(scope: Construct, id: string, opts: { redriveTarget?: boolean } = {}): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  // cdk-nag already knows a queue named in another queue's redrive policy is a DLQ.
  if (opts.redriveTarget) return queue;
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue; its messages are alarmed on and inspected, not retried.',
  });
  return queue;
}
