import { Duration } from 'aws-cdk-lib';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  SECURITY_CONTROLS,
  SECURITY_HUB_ASFF_DETAIL_TYPE,
  SECURITY_HUB_SOURCE,
  SECURITY_HUB_V2_DETAIL_TYPE,
} from '../../lambda/core/securityhub-finding';
import { STATUS_SYNC_DETAIL_TYPES } from '../../lambda/core/status-sync';
import type { SgRevokeConfig } from './config';
import { LIFECYCLE_SOURCE } from './notifications';
import type { SgRevokeFunction } from './sg-revoke-function';

const CONTROLS = [...SECURITY_CONTROLS];

/** OCSF compliance findings of the two controls, and exposure findings about a security group. */
export const SECURITY_HUB_V2_PATTERN = {
  source: [SECURITY_HUB_SOURCE],
  detailType: [SECURITY_HUB_V2_DETAIL_TYPE],
  detail: {
    findings: {
      $or: [
        { class_uid: [2003], compliance: { control: CONTROLS } },
        { class_uid: [2004], resources: { type: ['AWS::EC2::SecurityGroup'] } },
      ],
    },
  },
};

/** ASFF control findings (consolidated `SecurityControlId`, or a standard's `GeneratorId`). */
export const SECURITY_HUB_ASFF_PATTERN = {
  source: [SECURITY_HUB_SOURCE],
  detailType: [SECURITY_HUB_ASFF_DETAIL_TYPE],
  detail: {
    findings: {
      $or: [
        { Compliance: { SecurityControlId: CONTROLS } },
        { GeneratorId: CONTROLS.map((c) => ({ suffix: `/${c}` })) },
      ],
    },
  },
};

/** Lifecycle events of actions that came from Security Hub: detector actions carry no `origin`. */
export const STATUS_SYNC_PATTERN = {
  source: [LIFECYCLE_SOURCE],
  detailType: [...STATUS_SYNC_DETAIL_TYPES],
  detail: { origin: { kind: ['securityhub-ocsf', 'securityhub-asff'] } },
};

export interface SecurityHubWiringProps {
  readonly config: SgRevokeConfig;
  /** The account's default bus: Security Hub delivers its findings there, nowhere else. */
  readonly defaultBus: IEventBus;
  readonly lifecycleBus: IEventBus;
  readonly planQueue: Queue;
  readonly planDlq: Queue;
  readonly statusSync: SgRevokeFunction;
  readonly statusSyncDlq: Queue;
}

/**
 * Security Hub in (one findings rule per source, each can be turned off by context) and status back
 * out (lifecycle bus → status-sync, asynchronously: retried, then dead-lettered and alarmed).
 */
export class SecurityHubWiring extends Construct {
  readonly v2Rule: Rule | null;
  readonly asffRule: Rule | null;
  readonly statusSyncRule: Rule;

  constructor(scope: Construct, id: string, props: SecurityHubWiringProps) {
    super(scope, id);
    const toPlanQueue = () =>
      new SqsQueue(props.planQueue, {
        deadLetterQueue: props.planDlq,
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      });
    this.v2Rule = props.config.securityHubV2Intake
      ? new Rule(this, 'V2Findings', {
          description: 'sg-revoke: Security Hub OCSF findings of EC2.18 / EC2.19 to the plan queue',
          eventBus: props.defaultBus,
          eventPattern: SECURITY_HUB_V2_PATTERN,
          targets: [toPlanQueue()],
        })
      : null;
    this.asffRule = props.config.securityHubAsffIntake
      ? new Rule(this, 'AsffFindings', {
          description: 'sg-revoke: Security Hub ASFF findings of EC2.18 / EC2.19 to the plan queue',
          eventBus: props.defaultBus,
          eventPattern: SECURITY_HUB_ASFF_PATTERN,
          targets: [toPlanQueue()],
        })
      : null;
    this.statusSyncRule = new Rule(this, 'StatusSync', {
      description: 'sg-revoke: progress of Security Hub-sourced actions back to their findings',
      eventBus: props.lifecycleBus,
      eventPattern: STATUS_SYNC_PATTERN,
      targets: [
        new LambdaFunction(props.statusSync.fn, {
          deadLetterQueue: props.statusSyncDlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
  }
}
