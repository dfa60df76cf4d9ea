import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Action } from '../../../lambda/core/action';
import { approvedRulesOf } from '../../../lambda/core/approval';
import { parseFinding } from '../../../lambda/core/finding';
import type { Finding, IngressRule, LiveGroup } from '../../../lambda/core/model';
import type { Cidr } from '../../../lambda/core/permission';
import { planRevoke } from '../../../lambda/core/plan';
import { commitAudited } from '../../../lambda/usecases/deps';
import {
  InMemoryEventPublisher,
  InMemoryEvidenceStore,
  InMemorySecurityGroups,
  ManualClock,
} from '../fakes/fakes';
import { InMemoryActionStore, InMemorySweepCheckpoints } from '../fakes/in-memory-action-store';

const FINDING_LINE = join(__dirname, '../../../events/findings.ocsf.jsonl');

/** Synthetic group ids: sg- + 17 hex, one per index. */
export const groupIdOf = (i: number): string => `sg-0a1b2c3d4e${i.toString(16).padStart(7, '0')}`;

export const openRule = (sgId: string, n = 1): IngressRule => ({
  ruleId: `sgr-${sgId.slice(5)}${String(n).padStart(2, '0')}`,
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  cidr: '0.0.0.0/0' as Cidr,
  source: null,
  description: null,
});

const privateRule = (sgId: string): IngressRule => ({
  ...openRule(sgId, 9),
  ruleId: `sgr-${sgId.slice(3, 19)}p`,
  cidr: '10.0.0.0/8' as Cidr,
});

let template: Finding | null = null;
function findingFor(sgId: string, i: number, region: string): Finding {
  if (!template) {
    const parsed = parseFinding(JSON.parse(readFileSync(FINDING_LINE, 'utf8').split('\n')[0] as string));
    if (!parsed.ok) throw new Error(parsed.error.reason);
    template = parsed.value;
  }
  return {
    ...template,
    sgId,
    region,
    accountUid: '111122223333',
    findingUid: `asg-fleet${String(i).padStart(11, '0')}`,
    permission: { ...template.permission, cidrs: ['0.0.0.0/0' as Cidr] },
  };
}

export function fleetWorld(opts: { verifyWindowDays?: number } = {}) {
  const groups = new InMemorySecurityGroups();
  const actions = new InMemoryActionStore();
  const evidence = new InMemoryEvidenceStore();
  const events = new InMemoryEventPublisher();
  const clock = new ManualClock();
  const checkpoints = new InMemorySweepCheckpoints();
  return {
    groups,
    securityGroups: groups,
    actions,
    evidence,
    events,
    clock,
    checkpoints,
    mode: 'lambda' as const,
    config: { verifyWindowDays: opts.verifyWindowDays ?? 30 },
  };
}
export type FleetWorld = ReturnType<typeof fleetWorld>;

/**
 * `count` actions revoked through the real audited commit (APPLYING → APPLIED, one revoke_after row),
 * spread over `groupCount` groups whose open rule is gone (only a private rule is left).
 */
export async function seedApplied(
  w: FleetWorld,
  count: number,
  opts: { groupCount?: number; regions?: readonly string[] } = {},
): Promise<string[]> {
  const groupCount = opts.groupCount ?? count;
  const regions = opts.regions ?? ['us-east-1'];
  const ids: string[] = [];
  for (let g = 0; g < groupCount; g++) {
    const sgId = groupIdOf(g);
    w.groups.put({
      groupId: sgId,
      groupName: `fleet-${g}`,
      vpcId: 'vpc-0a1b2c3d',
      tags: {},
      ingress: [privateRule(sgId)],
    });
  }
  for (let i = 0; i < count; i++) {
    const g = i % groupCount;
    const finding = findingFor(groupIdOf(g), i, regions[g % regions.length] as string);
    const before = w.groups.groups.get(finding.sgId) as LiveGroup;
    const planned = planRevoke(finding, { ...before, ingress: [...before.ingress, openRule(finding.sgId)] });
    if (planned.kind !== 'planned') throw new Error(planned.kind);
    const at = new Date(w.clock.nowMs()).toISOString();
    const action: Action = {
      actionId: planned.plan.actionId,
      status: 'APPLYING',
      recordStatus: 'planned',
      statusDetail: 'claimed',
      createdAt: at,
      updatedAt: at,
      approvalDeadline: at,
      finding,
      plan: planned.plan,
      guardrails: [],
      approval: {
        approver: 'arn:aws:sts::111122223333:assumed-role/IncidentCommander/alice',
        incidentId: 'INC-1',
        at,
        deadline: at,
        planHash: planned.plan.planHash,
        rules: approvedRulesOf(planned.plan),
        keyId: null,
        signature: null,
      },
      rejection: null,
      outcome: null,
      verification: null,
      history: [{ at, from: null, to: 'APPLYING', by: 'seed', detail: 'claimed' }],
      auditHead: null,
    };
    await w.actions.create(action);
    const outcome = { status: 'success' as const, detail: 'revoked', revokedRules: planned.plan.targets, at };
    await commitAudited(
      w,
      action,
      {
        from: ['APPLYING'],
        to: 'APPLIED',
        patch: { recordStatus: 'success', statusDetail: 'revoked', outcome },
      },
      {
        rules: planned.plan.targets,
        step: 'revoke_after',
        status: 'success',
        detail: 'revoked',
        incidentId: 'INC-1',
        approver: action.approval?.approver ?? null,
        caller: 'seed',
        mode: 'lambda',
        revokedRules: planned.plan.targets,
      },
      'seed',
    );
    ids.push(action.actionId);
  }
  return ids;
}

/** Puts the flagged rule back on (or takes it off) the group of `sgId`. */
export function setOpen(groups: InMemorySecurityGroups, sgId: string, open: boolean): void {
  const g = groups.groups.get(sgId) as LiveGroup;
  const rest = g.ingress.filter((r) => r.cidr !== '0.0.0.0/0');
  groups.put({ ...g, ingress: open ? [...rest, openRule(sgId, 7)] : rest });
}
