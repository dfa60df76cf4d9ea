import { Aws, Duration } from 'aws-cdk-lib';
import {
  type IEventBus,
  type IRuleRef,
  type IRuleTarget,
  Rule,
  type RuleTargetConfig,
} from 'aws-cdk-lib/aws-events';
import { addToDeadLetterQueueResourcePolicy, bindBaseTargetConfig } from 'aws-cdk-lib/aws-events-targets';
import { PolicyDocument, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../lambda/core/constants';
import { deadLetterQueue } from './dead-letter-queue';
import { accountStatements } from './encryption-key';

/** Lifecycle events the code emits on the bus (source `sg-revoke`). */
export const LIFECYCLE_SOURCE = EVENT_SOURCE;

/**
 * Rule target for the encrypted topic. The stock SnsTopic target also grants EventBridge
 * `kms:GenerateDataKey*` in the key policy; the key policy already names the exact actions.
 */
class EncryptedTopicTarget implements IRuleTarget {
  constructor(
    private readonly topic: Topic,
    private readonly dlq: Queue,
  ) {}

  bind(rule: IRuleRef): RuleTargetConfig {
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: `EventBridgeRule${rule.node.id}`,
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleRef.ruleArn } },
      }),
    );
    addToDeadLetterQueueResourcePolicy(rule, this.dlq);
    return {
      ...bindBaseTargetConfig({
        deadLetterQueue: this.dlq,
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      }),
      arn: this.topic.topicArn,
      targetResource: this.topic,
    };
  }
}

/**
 * The approvers' topic: pending plans and drift are pushed here, and so are the alarms.
 * Subscriptions (email, chat) are managed outside the stack; the topic is what this stack owns.
 */
export class Notifications extends Construct {
  readonly topic: Topic;
  /** The topic's own key: the service statements it needs never touch the audit key. */
  readonly key: Key;
  readonly dlq: Queue;
  readonly pendingRule: Rule;
  readonly driftRule: Rule;
  readonly tamperRule: Rule;

  /** `bus` is the lifecycle bus, which only sg-revoke's functions can put to (lifecycle-bus.ts). */
  constructor(scope: Construct, id: string, props: { readonly bus: IEventBus }) {
    super(scope, id);
    this.key = notificationKey(this);
    this.topic = new Topic(this, 'Topic', {
      displayName: 'sg-revoke approvals and drift',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.dlq = deadLetterQueue(this, 'Dlq');

    // One rule per kind: each rule's MatchedEvents metric is what the alarms count.
    this.pendingRule = this.lifecycleRule('ActionPlanned', props.bus, 'Action Planned');
    this.driftRule = this.lifecycleRule('DriftDetected', props.bus, 'Drift Detected');
    this.tamperRule = this.lifecycleRule('TamperDetected', props.bus, 'Tamper Detected');
  }

  private lifecycleRule(id: string, bus: IEventBus, detailType: string): Rule {
    return new Rule(this, id, {
      description: `sg-revoke: "${detailType}" lifecycle events to the approvers' topic`,
      eventBus: bus,
      eventPattern: { source: [LIFECYCLE_SOURCE], detailType: [detailType] },
      targets: [new EncryptedTopicTarget(this.topic, this.dlq)],
    });
  }
}

/**
 * CloudWatch (alarm actions) is held to this account's alarms by aws:SourceAccount and aws:SourceArn.
 * EventBridge's KMS request for a rule target carries no source keys (AWS documents that
 * aws:SourceAccount / aws:SourceArn are not supported for EventBridge delivery to an encrypted topic:
 * a condition would drop every notification), so its statement is unconditioned; that is why it sits
 * on a key that protects nothing but this topic's messages.
 */
function notificationKey(scope: Construct): Key {
  return new Key(scope, 'Key', {
    description: 'sg-revoke: the approvers notification topic only',
    enableKeyRotation: true,
    policy: new PolicyDocument({
      statements: [
        ...accountStatements(),
        new PolicyStatement({
          sid: 'AlarmsOfThisAccountPublish',
          principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
            ArnLike: {
              'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
            },
          },
        }),
        new PolicyStatement({
          sid: 'LifecycleRulesPublish',
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
        }),
      ],
    }),
  });
}
