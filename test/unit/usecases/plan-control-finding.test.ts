import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchPlanner, intakeOf, PoisonMessageError } from '../../../lambda/usecases/plan-batch';
import { planControlFinding } from '../../../lambda/usecases/plan-control-finding';
import { rule, SG, webTier, world } from './world';

const sample = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '../../../events/securityhub', file), 'utf8'));
const finding = (file: string): unknown => (sample(file).detail as { findings: unknown[] }).findings[0];

describe('planControlFinding', () => {
  it('plans an EC2.19 finding as one action per failing shape: the public ssh rules, never tcp/443', async () => {
    const w = world();
    const results = await planControlFinding(w, 'securityhub-ocsf', finding('v2.compliance.ec2-19.json'));

    expect(results.map((r) => r.kind)).toEqual(['recorded']);
    const [action] = [...w.actions.actions.values()];
    expect(action?.status).toBe('PENDING_APPROVAL');
    expect(action?.plan?.targets.map((t) => t.ruleId)).toEqual([
      'sgr-00000000000000001',
      'sgr-00000000000000002',
    ]);
    expect(action?.finding.source).toMatchObject({
      control: 'EC2.19',
      ruleIds: ['sgr-00000000000000001', 'sgr-00000000000000002'],
    });
    const planned = w.events.ofType('Action Planned')[0]?.detail as Record<string, unknown>;
    expect(planned.origin).toMatchObject({ kind: 'securityhub-ocsf', cloudAccountUid: '111122223333' });
    expect(planned.control).toBe('EC2.19');
  });

  it('plans an ASFF EC2.18 finding on ssh and 443-range rules but not the authorized tcp/443', async () => {
    const w = world();
    w.groups.put(
      webTier({
        groupId: 'sg-0a1b2c3d4e5f60008',
        ingress: [...webTier().ingress, rule('sgr-00000000000000009', '0.0.0.0/0', 'tcp', 8000, 8000)],
      }),
    );
    await planControlFinding(w, 'securityhub-asff', finding('asff.ec2-18.json'));
    const targets = [...w.actions.actions.values()].flatMap(
      (a) => a.plan?.targets.map((t) => t.ruleId) ?? [],
    );
    expect(targets.sort()).toEqual([
      'sgr-00000000000000001',
      'sgr-00000000000000002',
      'sgr-00000000000000009',
    ]);
    expect(w.actions.actions.size).toBe(2);
  });

  it('a re-delivery of the same finding is a duplicate: no second action, no second event', async () => {
    const w = world();
    await planControlFinding(w, 'securityhub-ocsf', finding('v2.compliance.ec2-19.json'));
    const again = await planControlFinding(w, 'securityhub-ocsf', finding('v2.compliance.ec2-19.json'));
    expect(again.map((r) => r.kind)).toEqual(['duplicate']);
    expect(w.actions.actions.size).toBe(1);
    expect(w.events.ofType('Action Planned')).toHaveLength(1);
  });

  it('a group with no failing rule left is one group-level SKIPPED already_absent record', async () => {
    const w = world();
    w.groups.put(webTier({ ingress: [rule('sgr-00000000000000004', '0.0.0.0/0', 'tcp', 443, 443)] }));
    const [result] = await planControlFinding(w, 'securityhub-ocsf', finding('v2.compliance.ec2-19.json'));
    expect(result?.kind === 'recorded' && [result.action.status, result.action.recordStatus]).toEqual([
      'SKIPPED',
      'already_absent',
    ]);
    expect(result?.kind === 'recorded' && result.action.plan?.targets).toEqual([]);
  });

  it('a protected group is skipped by the guardrail, with the origin on the Skipped event', async () => {
    const w = world();
    w.config.protectedIds.add(SG);
    const [result] = await planControlFinding(w, 'securityhub-ocsf', finding('v2.compliance.ec2-19.json'));
    expect(result?.kind === 'recorded' && result.action.recordStatus).toBe('skipped_protected_sg');
    expect(w.events.ofType('Action Skipped')[0]?.detail).toHaveProperty('origin');
  });

  it('an account off the allow-list is skipped_account_boundary and its group is never read', async () => {
    const w = world();
    w.config.allowedAccounts.clear();
    w.config.allowedAccounts.add('444455556666');
    const [result] = await planControlFinding(w, 'securityhub-ocsf', finding('v2.compliance.ec2-19.json'));
    expect(result?.kind === 'recorded' && result.action.recordStatus).toBe('skipped_account_boundary');
    expect(w.groups.describeCalls).toBe(0);
  });

  it('a suppressed finding is rejected with an Action Skipped that carries no origin', async () => {
    const w = world();
    const [result] = await planControlFinding(w, 'securityhub-ocsf', finding('v2.suppressed.json'));
    expect(result?.kind === 'rejected' && result.rejection.kind).toBe('inactive');
    expect(w.actions.actions.size).toBe(0);
    expect(w.events.ofType('Action Skipped')[0]?.detail).not.toHaveProperty('origin');
  });
});

describe('intakeOf', () => {
  it('tells the three sources apart by source and detail-type', () => {
    expect(intakeOf(JSON.stringify(sample('v2.compliance.ec2-19.json'))).map((i) => i.shape)).toEqual([
      'securityhub-ocsf',
    ]);
    expect(intakeOf(JSON.stringify(sample('asff.ec2-18.json'))).map((i) => i.shape)).toEqual([
      'securityhub-asff',
    ]);
    expect(intakeOf(JSON.stringify({ source: 'detector', detail: { a: 1 } }))).toEqual([
      { shape: 'detector', input: { a: 1 } },
    ]);
  });

  it('plans every finding of a Security Hub detail with many findings', async () => {
    const w = world();
    const event = sample('v2.compliance.ec2-19.json');
    const one = finding('v2.compliance.ec2-19.json');
    (event.detail as { findings: unknown[] }).findings = [one, finding('v2.suppressed.json')];
    const body = JSON.stringify(event);
    const results = await (await batchPlanner(w, [body])).plan(body);
    expect(results.map((r) => r.kind)).toEqual(['recorded', 'rejected']);
  });

  it.each([
    [
      'another Security Hub detail-type',
      { source: 'aws.securityhub', 'detail-type': 'Security Hub Insight Results', detail: {} },
    ],
    [
      'no findings',
      { source: 'aws.securityhub', 'detail-type': 'Findings Imported V2', detail: { findings: [] } },
    ],
  ])('refuses %s as poison', (_name, event) => {
    expect(() => intakeOf(JSON.stringify(event))).toThrow(PoisonMessageError);
  });
});
