import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IngressRule, LiveGroup } from '../../../lambda/core/model';
import type { Cidr, Protocol } from '../../../lambda/core/permission';
import type { NetworkInterfaces } from '../../../lambda/core/ports';
import type { ImpactDeps } from '../../../lambda/usecases/preview-impact';
import {
  FixedCallerIdentity,
  InMemoryApprovalKey,
  InMemoryEventPublisher,
  InMemoryEvidenceStore,
  InMemoryIngressRestorer,
  InMemorySecurityGroups,
  ManualClock,
} from '../../support/fakes/fakes';
import { InMemoryActionStore } from '../../support/fakes/in-memory-action-store';
import { eni, InMemoryNetworkInterfaces } from '../../support/fakes/in-memory-impact';

const EVENTS = join(__dirname, '../../../events');

/** The detector's SSH finding (tcp/22 on sg-0a1b2c3d4e5f60001, web-tier), flagged for 0.0.0.0/0 and ::/0. */
export function sshFinding(): Record<string, unknown> {
  const first = readFileSync(join(EVENTS, 'findings.ocsf.jsonl'), 'utf8').split('\n')[0] as string;
  const finding = JSON.parse(first) as { observables: { name: string; type: string; value: string }[] };
  finding.observables.push({ name: 'permission.cidr', type: 'Other', value: '::/0' });
  return finding;
}

export const SG = 'sg-0a1b2c3d4e5f60001';

export const rule = (
  ruleId: string,
  cidr: string,
  protocol: Protocol = 'tcp',
  from: number | null = 22,
  to: number | null = 22,
): IngressRule => ({
  ruleId,
  protocol,
  fromPort: from,
  toPort: to,
  cidr: cidr as Cidr,
  source: null,
  description: null,
});

/** tcp/22 from 0.0.0.0/0, ::/0 and 10.0.0.0/8, plus tcp/443 from 0.0.0.0/0. */
export function webTier(overrides: Partial<LiveGroup> = {}): LiveGroup {
  return {
    groupId: SG,
    groupName: 'web-tier',
    vpcId: 'vpc-0a1b2c3d',
    tags: {},
    ingress: [
      rule('sgr-00000000000000001', '0.0.0.0/0'),
      rule('sgr-00000000000000002', '::/0'),
      rule('sgr-00000000000000003', '10.0.0.0/8'),
      rule('sgr-00000000000000004', '0.0.0.0/0', 'tcp', 443, 443),
    ],
    ...overrides,
  };
}

export function world() {
  const groups = new InMemorySecurityGroups();
  groups.put(webTier());
  const actions = new InMemoryActionStore();
  const evidence = new InMemoryEvidenceStore();
  const events = new InMemoryEventPublisher();
  const clock = new ManualClock();
  const callerIdentity = new FixedCallerIdentity();
  const approvalKey = new InMemoryApprovalKey();
  // web-tier runs on one instance with a public IPv4: every plan carries an `exposed` preview.
  const interfaces = new InMemoryNetworkInterfaces();
  interfaces.byGroup.set(SG, [eni('eni-0a1b2c3d4e5f60001', { publicIpv4: '203.0.113.10' })]);
  const config = {
    protectedIds: new Set<string>(),
    allowedAccounts: new Set(['111122223333']),
    approvalTtlHours: 24,
    verifyWindowDays: 30,
  };
  const approver = 'arn:aws:sts::111122223333:assumed-role/IncidentCommander/alice';
  const base = {
    actions,
    evidence,
    events,
    clock,
    securityGroups: groups,
    accounts: callerIdentity,
    config,
    mode: 'lambda' as const,
    verifier: approvalKey.verifier,
    impact: { networkInterfaces: interfaces as NetworkInterfaces, flowLogs: null } as Omit<
      ImpactDeps,
      'clock'
    >,
  };
  const approvals = { ...base, signer: approvalKey.signer, isApprover: (arn: string) => arn === approver };
  const restorer = new InMemoryIngressRestorer(groups);
  const trail = { rowsOf: async ({ actionId }: { actionId: string }) => actions.rowsOf(actionId) };
  const rollbacks = { ...base, restorer, trail };
  return {
    ...base,
    groups,
    approvals,
    approver,
    approvalKey,
    callerIdentity,
    interfaces,
    restorer,
    rollbacks,
  };
}
export type World = ReturnType<typeof world>;
