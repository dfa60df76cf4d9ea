import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus, Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { ArnPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DRAIN_EVENT } from '../../lambda/core/limits';
import type { SgRevokeConfig } from './config';
import { deadLetterQueue } from './dead-letter-queue';
import { type Functions, PLAN_BATCH_SIZE, PLAN_TIMEOUT_SECONDS } from './functions';

/** The detector's findings this stack acts on (DESIGN §4). */
export const FINDINGS_PATTERN = {
  detail: {
    class_uid: [2004],
    metadata: { product: { feature: { name: ['detect-aws-open-security-group'] } } },
  },
};

/** How often waiting approvals are offered to the rate cap again. */
export const DRAIN_EVERY_MINUTES = 5;

/** The bus findings arrive on and lifecycle events leave on: imported by name, or made here. */
export function findingsBus(scope: Construct, config: SgRevokeConfig): IEventBus {
  if (config.busName !== undefined) return EventBus.fromEventBusName(scope, 'Bus', config.busName);
  const bus = new EventBus(scope, 'Bus', {
    description: 'sg-revoke: open-security-group findings and lifecycle',
  });
  // Same-account publishers need only IAM; the policy admits the named cross-account detectors.
  if (config.findingPublisherPrincipals.length > 0) {
    bus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'NamedFindingPublishers',
        principals: config.findingPublisherPrincipals.map((arn) => new ArnPrincipal(arn)),
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
      }),
    );
  }
  return bus;
}

export interface EventWiringProps {
  readonly config: SgRevokeConfig;
  readonly bus: IEventBus;
  readonly actionsTable: ITable;
  readonly functions: Functions;
}

/**
 * How the functions are triggered: findings → plan, schedule → reverify, actions stream → apply.
 * Every async path ends in a DLQ: EventBridge retries then dead-letters undeliverable events; the
 * stream mapping retries a bounded number of times, bisecting the batch, then records the failure.
 */
export class EventWiring extends Construct {
  readonly findingsRule: Rule;
  readonly planQueue: Queue;
  readonly reverifySchedule: Rule;
  readonly applyDlq: Queue;
  readonly drainSchedule: Rule;
  readonly rollbackDlq: Queue;

  constructor(scope: Construct, id: string, props: EventWiringProps) {
    super(scope, id);
    const { plan, reverify, apply, rollback, planDlq, reverifyDlq } = props.functions;

    // Findings are planned in batches (issue 10): a burst on a few groups costs one describe round
    // per batch, not two describes per finding. A message that keeps failing goes to the plan DLQ.
    this.planQueue = new Queue(this, 'PlanQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's rule for Lambda consumers: six times the function timeout.
      visibilityTimeout: Duration.seconds(6 * PLAN_TIMEOUT_SECONDS),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: planDlq, maxReceiveCount: 5 },
    });
    this.findingsRule = new Rule(this, 'Findings', {
      description: 'sg-revoke: open-security-group findings to the plan queue',
      eventBus: props.bus,
      eventPattern: FINDINGS_PATTERN,
      targets: [
        new SqsQueue(this.planQueue, {
          deadLetterQueue: planDlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
    plan.fn.addEventSource(
      new SqsEventSource(this.planQueue, {
        batchSize: PLAN_BATCH_SIZE,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        // Bounds the describe rate a burst can cause (EC2's describe bucket refills 20/s).
        maxConcurrency: 2,
      }),
    );

    // Schedules only run on the account's default bus, whatever bus the findings use.
    this.reverifySchedule = new Rule(this, 'ReverifySchedule', {
      description: 'sg-revoke: periodic re-verification of applied revokes',
      schedule: Schedule.expression(props.config.reverifySchedule),
      targets: [
        // A missed sweep is superseded by the next one, so a short event age is enough.
        new LambdaFunction(reverify.fn, {
          deadLetterQueue: reverifyDlq,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(10),
        }),
      ],
    });

    this.applyDlq = deadLetterQueue(this, 'ApplyDlq');
    // Approvals that wait (rate cap, kill switch) are applied by this drain, oldest first.
    this.drainSchedule = new Rule(this, 'ApplyDrainSchedule', {
      description: 'sg-revoke: apply approvals waiting for the rate cap or the kill switch, in order',
      schedule: Schedule.rate(Duration.minutes(DRAIN_EVERY_MINUTES)),
      targets: [
        new LambdaFunction(apply.fn, {
          event: RuleTargetInput.fromObject(DRAIN_EVENT),
          // A missed drain is superseded by the next one.
          retryAttempts: 0,
          maxEventAge: Duration.minutes(DRAIN_EVERY_MINUTES),
          deadLetterQueue: this.applyDlq,
        }),
      ],
    });
    // A drain that failed is superseded by the next one: no retry, but it is kept and alarmed.
    apply.fn.configureAsyncInvoke({
      onFailure: new SqsDestination(this.applyDlq),
      retryAttempts: 0,
      maxEventAge: Duration.minutes(DRAIN_EVERY_MINUTES),
    });

    apply.fn.addEventSource(
      new DynamoEventSource(props.actionsTable, {
        // TRIM_HORIZON: an approval written while the mapping is (re)created is still applied.
        startingPosition: StartingPosition.TRIM_HORIZON,
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('MODIFY'),
            dynamodb: { NewImage: { status: { S: FilterRule.isEqual('APPROVED') } } },
          }),
        ],
        batchSize: 10,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 3,
        maxRecordAge: Duration.hours(6),
        onFailure: new SqsDlq(this.applyDlq),
      }),
    );
    apply.acknowledgeUnscoped(
      ['dynamodb:ListStreams'],
      'added by the DynamoDB event source; ListStreams offers no resource-level scope',
    );

    // Rollback requests travel on the same stream as approvals: the API's role needs no
    // lambda:InvokeFunction, and a request gets the stream's retries and an on-failure queue.
    this.rollbackDlq = deadLetterQueue(this, 'RollbackDlq');
    rollback.fn.addEventSource(
      new DynamoEventSource(props.actionsTable, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('MODIFY'),
            dynamodb: {
              NewImage: {
                status: { S: FilterRule.or('APPLIED', 'ALREADY_ABSENT') },
                rollback: { M: { at: { S: FilterRule.exists() } } },
              },
            },
          }),
        ],
        batchSize: 1,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 3,
        maxRecordAge: Duration.hours(6),
        onFailure: new SqsDlq(this.rollbackDlq),
      }),
    );
    rollback.acknowledgeUnscoped(
      ['dynamodb:ListStreams'],
      'added by the DynamoDB event source; ListStreams offers no resource-level scope',
    );
  }
}
