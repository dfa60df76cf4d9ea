import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SgRevokeFunction } from './sg-revoke-function';

export interface AlarmsProps {
  readonly topic: ITopic;
  readonly functions: Readonly<Record<string, SgRevokeFunction>>;
  readonly deadLetterQueues: Readonly<Record<string, Queue>>;
  readonly driftRule: Rule;
  readonly tamperRule: Rule;
  /** The (custom) bus the drift and tamper rules are on. */
  readonly lifecycleBusName: string;
  /** Reverify's failed checks (a metric, since a failed check no longer fails the run). */
  readonly reverifyCheckErrors: Metric;
  /** Findings waiting to be planned: an old message means plan is stuck or throttled. */
  readonly planQueue: Queue;
  /** Limit metrics: a breaker trip (apply or reverify), an approval that expired while it waited. */
  readonly limits?: { readonly breakerTripped: IMetric; readonly deadlinePassed: IMetric };
}

/**
 * Any failed invocation, any message in a DLQ, any DRIFT and any TAMPER is worth a human look: each is a single
 * occurrence over five minutes, and every alarm notifies the approvers' topic.
 */
export class Alarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const period = Duration.minutes(5);
    const atLeastOnce = (alarmId: string, metric: IMetric, description: string): void => {
      const alarm = new Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data means nothing happened: no invocations, no messages, no drift.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `sg-revoke: ${description}`,
      });
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    };

    for (const [name, fn] of Object.entries(props.functions)) {
      atLeastOnce(
        `${name}Errors`,
        fn.fn.metricErrors({ period, statistic: 'Sum' }),
        `${name} function errors`,
      );
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      atLeastOnce(
        `${name}DlqMessages`,
        queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        `messages waiting in the ${name} dead-letter queue`,
      );
    }
    atLeastOnce(
      'ReverifyCheckErrors',
      props.reverifyCheckErrors,
      'reverify checks that could not be recorded',
    );
    const stale = new Alarm(this, 'PlanQueueAge', {
      metric: props.planQueue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
      threshold: 15 * 60,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: 'sg-revoke: findings have waited 15 minutes to be planned',
    });
    stale.addAlarmAction(action);
    this.alarms.push(stale);
    // Rules on a custom bus publish MatchedEvents with both dimensions.
    const matched = (rule: Rule) =>
      new Metric({
        namespace: 'AWS/Events',
        metricName: 'MatchedEvents',
        dimensionsMap: { RuleName: rule.ruleName, EventBusName: props.lifecycleBusName },
        period,
        statistic: 'Sum',
      });
    atLeastOnce('Drift', matched(props.driftRule), 'DRIFT: a revoked ingress rule is open again');
    if (props.limits) {
      atLeastOnce(
        'CircuitBreakerTripped',
        props.limits.breakerTripped,
        'CIRCUIT BREAKER: every apply is paused until an operator runs `sg-revoke resume`',
      );
      atLeastOnce(
        'ApprovalDeadlinePassed',
        props.limits.deadlinePassed,
        'an approved action waited past its approval deadline and is FAILED: approve it again',
      );
    }
    atLeastOnce(
      'Tamper',
      matched(props.tamperRule),
      'TAMPER: a forged or edited approval was refused, or the audit trail was rewritten',
    );
  }
}
