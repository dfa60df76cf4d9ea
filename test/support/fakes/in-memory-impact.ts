import { type InterfaceListing, type InterfaceUse, interfaceUse } from '../../../lambda/core/impact';
import type { Where } from '../../../lambda/core/model';
import type { FlowLogAnswer, FlowLogQuery, FlowLogs, NetworkInterfaces } from '../../../lambda/core/ports';

/** An interface carrying the group, as a test describes it (private, attached to an instance, by default). */
export const eni = (
  interfaceId: string,
  overrides: Partial<Omit<InterfaceUse, 'usedBy'>> = {},
): InterfaceUse =>
  interfaceUse({
    interfaceId,
    interfaceType: 'interface',
    requesterId: null,
    requesterManaged: false,
    description: 'Primary network interface',
    attachment: { instanceId: 'i-0a1b2c3d4e5f60001', status: 'attached' },
    publicIpv4: null,
    ipv6: false,
    ...overrides,
  });

/** Interfaces per group; a group listed in `failing` answers with an error, as the adapter does. */
export class InMemoryNetworkInterfaces implements NetworkInterfaces {
  readonly byGroup = new Map<string, InterfaceUse[]>();
  readonly calls: { where: Where; sgId: string }[] = [];
  failing: string | null = null;

  async listByGroup(where: Where, sgId: string): Promise<InterfaceListing> {
    this.calls.push({ where, sgId });
    if (this.failing !== null) return { kind: 'error', message: this.failing };
    return { kind: 'listed', interfaces: [...(this.byGroup.get(sgId) ?? [])] };
  }
}

/** Answers every query with `answer`, and keeps the queries it was asked. */
export class InMemoryFlowLogs implements FlowLogs {
  readonly queries: FlowLogQuery[] = [];
  constructor(
    public answer: FlowLogAnswer,
    readonly logGroup = '/vpc/flow-logs',
    readonly days = 7,
    readonly region = 'us-east-1',
  ) {}
  async run(query: FlowLogQuery): Promise<FlowLogAnswer> {
    this.queries.push(query);
    return this.answer;
  }
}
