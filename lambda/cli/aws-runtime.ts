import { ec2Clients, eventBridgePublisher, securityGroups } from '../adapters/factories';
import type { CallerIdentity, EventPublisher, LifecycleEvent } from '../core/ports';

export {
  actionStore,
  callerIdentity,
  controlStore,
  ec2Clients,
  evidenceStore,
  securityGroups,
} from '../adapters/factories';

/**
 * The CLI acts with the operator's credentials in their own account only: member roles trust the
 * hub's functions, not people, so an organization's member accounts are the Lambdas' job.
 */
export function cliEc2(identity: CallerIdentity) {
  const clients = ec2Clients({ fn: 'cli', organizationId: null, hub: identity });
  return { securityGroups: securityGroups(clients), accounts: clients };
}

export const clock = { nowMs: () => Date.now() };

/** Lifecycle events go to the bus when one is configured; on the command line they are logged instead. */
export function eventPublisher(env: NodeJS.ProcessEnv, log: (event: LifecycleEvent) => void): EventPublisher {
  const bus = env.AWS_SG_REVOKE_EVENT_BUS?.trim();
  if (bus) return eventBridgePublisher(bus);
  return {
    publish: async (events) => {
      for (const event of events) log(event);
    },
  };
}
