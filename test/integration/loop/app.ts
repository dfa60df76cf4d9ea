import type { APIGatewayProxyResult, DynamoDBStreamEvent } from 'aws-lambda';
import { destroyClients } from '../../../lambda/adapters/clients';
import {
  apiEvent,
  approvedOnly,
  eventBridgeEnvelope,
  lambdaContext,
  rollbackRequestsOnly,
  type Stack,
  scheduledEvent,
} from './harness';

type Handlers = {
  destroy: () => void;
  clients: typeof import('../../../lambda/adapters/clients');
  plan: typeof import('../../../lambda/handlers/plan');
  api: typeof import('../../../lambda/handlers/approve-api');
  apply: typeof import('../../../lambda/handlers/apply');
  reverify: typeof import('../../../lambda/handlers/reverify');
  rollback: typeof import('../../../lambda/handlers/rollback');
};

/** Loads the four handlers as Lambda would (config read once, at import) with `env` on top of the stack's. */
export function loadHandlers(env: Record<string, string> = {}): Handlers {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const load = (): Handlers => ({
    destroy: require('../../../lambda/adapters/clients').destroyClients,
    clients: require('../../../lambda/adapters/clients'),
    plan: require('../../../lambda/handlers/plan'),
    api: require('../../../lambda/handlers/approve-api'),
    apply: require('../../../lambda/handlers/apply'),
    reverify: require('../../../lambda/handlers/reverify'),
    rollback: require('../../../lambda/handlers/rollback'),
  });
  let handlers: Handlers | undefined;
  // Under jest each call is a fresh "container"; outside it (the sandbox) there is one.
  if (typeof jest === 'undefined') handlers = load();
  else jest.isolateModules(() => (handlers = load()));
  process.env = saved;
  return handlers!;
}

/** The loop, step by step, through the real handlers and the real stream. */
export class App {
  constructor(
    readonly stack: Stack,
    readonly h: Handlers = loadHandlers(),
  ) {}

  async plan(finding: unknown): Promise<{ outcome: string; actionId?: string; status?: string }> {
    return (await this.h.plan.handler(eventBridgeEnvelope(finding), lambdaContext('plan'))) as never;
  }

  async call(method: 'GET' | 'POST', resource: string, opts: Parameters<typeof apiEvent>[2] = {}) {
    const res: APIGatewayProxyResult = await this.h.api.handler(
      apiEvent(method, resource, opts),
      lambdaContext('api'),
    );
    return {
      status: res.statusCode,
      body: JSON.parse(res.body) as Record<string, unknown> & { plan?: { planHash: string } },
    };
  }

  async approve(actionId: string, caller?: string | null) {
    const view = await this.call('GET', '/actions/{id}', { id: actionId });
    const planHash = view.body.plan?.planHash ?? '';
    return this.call('POST', '/actions/{id}/approve', {
      id: actionId,
      caller,
      body: JSON.stringify({ incidentId: 'INC-2026-0042', planHash }),
    });
  }

  /** Everything the stream delivered since the last call, filtered as the stack's event source mapping does. */
  async streamBatch(): Promise<DynamoDBStreamEvent> {
    return approvedOnly(await this.stack.stream.next());
  }

  async apply(event: DynamoDBStreamEvent, handlers: Handlers = this.h) {
    return handlers.apply.handler(event, lambdaContext('apply'));
  }

  /** Hands the rollback λ the records its mapping's filter lets through. */
  async rollback(event: DynamoDBStreamEvent, handlers: Handlers = this.h) {
    return handlers.rollback.handler(rollbackRequestsOnly(event), lambdaContext('rollback'));
  }

  async reverify() {
    return this.h.reverify.handler(scheduledEvent(), lambdaContext('reverify'));
  }

  async action(actionId: string) {
    return (await this.call('GET', '/actions/{id}', { id: actionId })).body as Record<string, unknown> & {
      status: string;
      recordStatus: string;
      statusDetail: string;
      outcome: { revokedRules: { ruleId: string }[] } | null;
      verification: { status: string } | null;
    };
  }

  close(): void {
    this.stack.stream.destroy();
    this.h.destroy();
    destroyClients();
  }
}
