import { EventBus } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ROLLBACK_DETAIL_TYPES } from '../../lambda/core/rollback';

/**
 * The bus lifecycle events (planned, approved, applied, drift, tamper) travel on (DESIGN §11). Only
 * sg-revoke's own function roles may put to it: the bus policy denies every other principal, so a
 * detector (or anyone with `events:PutEvents` on `*`) cannot fake an "Action Planned" or a "Drift
 * Detected" for the approvers. Findings arrive on a different bus.
 */
export class LifecycleBus extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { description: 'sg-revoke: lifecycle events (sg-revoke only)' });
  }

  /**
   * Call once with every role that publishes: anyone else is denied. `tamperOnly` roles (the audit
   * verifier) may put nothing but `Tamper Detected`; `rollbackOnly` roles nothing but the rollback's.
   */
  allowOnly(
    publishers: readonly IRole[],
    tamperOnly: readonly IRole[] = [],
    rollbackOnly: readonly IRole[] = [],
  ): void {
    this.bus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlySgRevokeFunctionsPublish',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': publishers.map((r) => r.roleArn) } },
      }),
    );
    if (rollbackOnly.length > 0) {
      this.bus.addToResourcePolicy(
        new PolicyStatement({
          sid: 'RollbackPublishesItsOwnEventsOnly',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: {
            ArnEquals: { 'aws:PrincipalArn': rollbackOnly.map((r) => r.roleArn) },
            StringNotEquals: { 'events:detail-type': [...ROLLBACK_DETAIL_TYPES] },
          },
        }),
      );
    }
    if (tamperOnly.length === 0) return;
    this.bus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AuditVerifierPublishesTamperOnly',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: {
          ArnEquals: { 'aws:PrincipalArn': tamperOnly.map((r) => r.roleArn) },
          StringNotEquals: { 'events:detail-type': 'Tamper Detected' },
        },
      }),
    );
  }
}
