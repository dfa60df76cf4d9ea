import { Aws, Duration } from 'aws-cdk-lib';
import {
  type IEventBus,
  type IRuleRef,
  type IRuleTarget,
  Rule,
  type RuleTargetConfig,
} from 'aws-cdk-lib/aws-events';
import { addToDeadLetterQueueResourcePolicy, bindBaseTargetConfig } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../lambda/core/constants';
import { deadLetterQueue } from './dead-letter-queue';

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
  readonly dlq: Queue;
  readonly pendingRule: Rule;
  readonly driftRule: Rule;

  constructor(scope: Construct, id: string, props: { readonly bus: IEventBus; readonly key: IKey }) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: 'sg-revoke approvals and drift',
      masterKey: props.key,
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

    // Two rules rather than one: the drift rule's MatchedEvents metric is the DRIFT count alarmed on.
    this.pendingRule = this.lifecycleRule('ActionPlanned', props.bus, 'Action Planned');
    this.driftRule = this.lifecycleRule('DriftDetected', props.bus, 'Drift Detected');
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
