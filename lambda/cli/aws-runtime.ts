import { eventBridgePublisher } from '../adapters/factories';
import type { EventPublisher, LifecycleEvent } from '../core/ports';

export { actionStore, callerIdentity, evidenceStore, securityGroups } from '../adapters/factories';

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
