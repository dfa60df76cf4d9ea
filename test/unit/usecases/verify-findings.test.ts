import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyAction } from '../../../lambda/usecases/apply-action';
import { decideApproval } from '../../../lambda/usecases/decide-approval';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { verifyFindings } from '../../../lambda/usecases/verify-findings';
import { rule, SG, sshFinding, webTier, world } from './world';

const EVENTS = join(__dirname, '../../../events');
const sample = readFileSync(join(EVENTS, 'findings.ocsf.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as unknown);
const badCidr = JSON.parse(readFileSync(join(EVENTS, 'findings/bad-cidr.json'), 'utf8')) as unknown;

describe('verifyFindings (the CLI reverify): one record per input finding, skips included', () => {
  it('gives the 8 sample findings 8 records, the ICMP false positive keeping its skip status', async () => {
    const w = world();

    const results = await verifyFindings({ securityGroups: w.groups, actions: null, clock: w.clock }, sample);

    expect(results).toHaveLength(8);
    expect(results.map((r) => r.record.record_type)).toEqual(Array(8).fill('remediation_verification'));
    expect(results[7]!.record).toMatchObject({
      status: 'skipped_invalid_finding',
      finding_uid: 'asg-cf04cb026fbadf0b',
      status_detail: expect.stringMatching(/^permission is icmp, which reaches none of the flagged ports/),
    });
  });

  it('gives events/findings/bad-cidr.json one skipped_invalid_finding record', async () => {
    const w = world();

    const results = await verifyFindings({ securityGroups: w.groups, actions: null, clock: w.clock }, [
      badCidr,
    ]);

    expect(results.map((r) => r.record.status)).toEqual(['skipped_invalid_finding']);
    expect(results[0]!.record).toMatchObject({ status_detail: expect.stringMatching(/CIDR/) });
  });

  it('without an actions table, leaves the SLA out instead of counting it from the detection time', async () => {
    const w = world();
    w.groups.put(webTier({ ingress: [rule('sgr-00000000000000004', '0.0.0.0/0', 'tcp', 443, 443)] }));

    const [result] = await verifyFindings({ securityGroups: w.groups, actions: null, clock: w.clock }, [
      sshFinding(),
    ]);

    expect(result!.record.status).toBe('verified');
    expect(result!.record).not.toHaveProperty('within_sla');
    expect(result!.record).not.toHaveProperty('sla_deadline_ms');
    expect(result!.record).toMatchObject({ reference: { remediated_at_ms: null } });
  });

  it('with the actions table, counts the SLA from the recorded apply time', async () => {
    const w = world();
    const planned = await planFinding(w, sshFinding());
    const actionId = planned.kind === 'recorded' ? planned.action.actionId : '';
    const plan = planned.kind === 'recorded' ? planned.action.plan : null;
    await decideApproval(w.approvals, actionId, w.approver, {
      verb: 'approve',
      incidentId: 'INC-1',
      planHash: plan?.planHash ?? '',
    });
    await applyAction(w, actionId);
    const appliedAt = Date.parse((await w.actions.get(actionId))!.outcome!.at);
    w.clock.advance(60_000);

    const [result] = await verifyFindings({ securityGroups: w.groups, actions: w.actions, clock: w.clock }, [
      sshFinding(),
    ]);

    expect(result!.record).toMatchObject({
      status: 'verified',
      within_sla: true,
      sla_deadline_ms: appliedAt + 15 * 60_000,
      reference: { remediated_at_ms: appliedAt },
    });
    expect(w.groups.ruleIdsOf(SG)).not.toContain('sgr-00000000000000001');
  });

  it('reports drift with its OCSF drift finding, and unreachable when the group cannot be read', async () => {
    const w = world();
    const other = { ...(sample[1] as object) };
    w.groups.readErrors.set('sg-0a1b2c3d4e5f60002', 'UnauthorizedOperation');

    const results = await verifyFindings({ securityGroups: w.groups, actions: null, clock: w.clock }, [
      sshFinding(),
      other,
    ]);

    expect(results.map((r) => r.record.status)).toEqual(['drift', 'unreachable']);
    expect(results[0]!.driftFinding).toMatchObject({
      class_uid: 2004,
      finding_info: { types: ['remediation-drift'] },
    });
    expect(results[1]!.driftFinding).toBeNull();
  });
});
