import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BatchUpdateFindingsCommand,
  BatchUpdateFindingsV2Command,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import {
  FindingNotUpdatedError,
  SecurityHubFindingStatus,
} from '../../../lambda/adapters/securityhub-finding-status';
import type { FindingOrigin } from '../../../lambda/core/model';
import type { LifecycleEvent } from '../../../lambda/core/ports';
import { applyAction } from '../../../lambda/usecases/apply-action';
import { decideApproval } from '../../../lambda/usecases/decide-approval';
import { planControlFinding } from '../../../lambda/usecases/plan-control-finding';
import { reverifyActions } from '../../../lambda/usecases/reverify-actions';
import { StatusNotRecordedError, syncStatus } from '../../../lambda/usecases/sync-status';
import { rule, SG, type World, world } from './world';

const shMock = mockClient(SecurityHubClient);
const client = new SecurityHubClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});
const writer = new SecurityHubFindingStatus(client);

const finding = (file: string): unknown =>
  (
    JSON.parse(readFileSync(join(__dirname, '../../../events/securityhub', file), 'utf8')) as {
      detail: { findings: unknown[] };
    }
  ).detail.findings[0];

const V2_UID =
  'arn:aws:securityhub:us-east-1:111122223333:security-control/EC2.19/finding/5f0c1a2b-0001-4c3d-9e8f-111122223333';
const V2_ID = {
  CloudAccountUid: '111122223333',
  FindingInfoUid: V2_UID,
  MetadataProductUid: 'arn:aws:securityhub:us-east-1::productv2/aws/securityhub',
};

async function planApplyVerify(w: World): Promise<string> {
  const [planned] = await planControlFinding(w, 'securityhub-ocsf', finding('v2.compliance.ec2-19.json'));
  if (planned?.kind !== 'recorded') throw new Error('not planned');
  const id = planned.action.actionId;
  await decideApproval(w.approvals, id, w.approver, {
    verb: 'approve',
    incidentId: 'INC-11',
    planHash: planned.action.plan?.planHash ?? '',
  });
  await applyAction(w, id);
  await reverifyActions(w);
  return id;
}

/** status-sync as deployed: the writer, and the world's actions table and allow-list to check against. */
const sync = async (w: World, events: readonly LifecycleEvent[]) => {
  const deps = { writer, actions: w.actions, allowedAccounts: w.config.allowedAccounts };
  const results = [];
  for (const e of events)
    results.push(await syncStatus(deps, { detailType: e.detailType, detail: e.detail }));
  return results;
};

beforeEach(() => {
  shMock.reset();
  shMock.on(BatchUpdateFindingsV2Command).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
  shMock.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
});

describe('status write-back (OCSF, BatchUpdateFindingsV2)', () => {
  it('planned → In Progress (2); first VERIFIED → Resolved (4) naming the action and the evidence URI', async () => {
    const w = world();
    const id = await planApplyVerify(w);

    const results = await sync(w, w.events.published);

    expect(results.filter((r) => r.kind === 'written')).toHaveLength(2);
    const calls = shMock.commandCalls(BatchUpdateFindingsV2Command).map((c) => c.args[0].input);
    const evidence = String(
      (w.events.ofType('Action Verified')[0]?.detail as { evidence_uri?: string } | undefined)?.evidence_uri,
    );
    expect(evidence).toMatch(/^s3:\/\/audit-bucket\/aws-sg-revoke\/audit\//);
    expect(calls).toEqual([
      {
        FindingIdentifiers: [V2_ID],
        StatusId: 2,
        Comment: `sg-revoke action ${id} planned, awaiting approval; rules: sgr-00000000000000001, sgr-00000000000000002`,
      },
      {
        FindingIdentifiers: [V2_ID],
        StatusId: 4,
        Comment: `sg-revoke action ${id} revoked and re-verified; audit evidence ${evidence}; rules: sgr-00000000000000001, sgr-00000000000000002`,
      },
    ]);
  });

  it('a second VERIFIED sends nothing more; DRIFT → New (1)', async () => {
    const w = world();
    const id = await planApplyVerify(w);
    await reverifyActions(w);
    expect(w.events.ofType('Action Verified')).toHaveLength(1);
    const before = w.events.published.length;
    const g = w.groups.groups.get(SG)!;
    w.groups.put({ ...g, ingress: [...g.ingress, rule('sgr-0000000000000000a', '0.0.0.0/0')] });
    await reverifyActions(w);

    await sync(w, w.events.published.slice(before));

    expect(shMock.commandCalls(BatchUpdateFindingsV2Command).map((c) => c.args[0].input)).toEqual([
      {
        FindingIdentifiers: [V2_ID],
        StatusId: 1,
        Comment: `sg-revoke action ${id}: DRIFT, the revoked exposure is open again`,
      },
    ]);
  });

  it('a guardrail skip → Suppressed (3) with the reason', async () => {
    const w = world();
    w.config.protectedIds.add(SG);
    const [skipped] = await planControlFinding(w, 'securityhub-ocsf', finding('v2.compliance.ec2-19.json'));
    if (skipped?.kind !== 'recorded') throw new Error('not recorded');

    await sync(w, w.events.published);

    expect(shMock.commandCalls(BatchUpdateFindingsV2Command).map((c) => c.args[0].input)).toEqual([
      {
        FindingIdentifiers: [V2_ID],
        StatusId: 3,
        Comment: `sg-revoke skipped action ${skipped.action.actionId}: ${skipped.action.statusDetail}`,
      },
    ]);
    expect(skipped.action.statusDetail).toMatch(/protected/i);
  });

  it('a rejection → Suppressed (3) with the rejection', async () => {
    const w = world();
    const [planned] = await planControlFinding(w, 'securityhub-ocsf', finding('v2.compliance.ec2-19.json'));
    if (planned?.kind !== 'recorded') throw new Error('not planned');
    await decideApproval(w.approvals, planned.action.actionId, w.approver, {
      verb: 'reject',
      reason: 'web tier needs ssh until Friday',
    });

    await sync(w, w.events.ofType('Action Rejected'));

    const [call] = shMock.commandCalls(BatchUpdateFindingsV2Command).map((c) => c.args[0].input);
    expect(call).toMatchObject({ FindingIdentifiers: [V2_ID], StatusId: 3 });
    expect(call?.Comment).toMatch(
      new RegExp(`^sg-revoke action ${planned.action.actionId} rejected: .*web tier needs ssh until Friday`),
    );
  });

  it('the same event twice makes the same call (idempotent)', async () => {
    const w = world();
    await planControlFinding(w, 'securityhub-ocsf', finding('v2.compliance.ec2-19.json'));
    await sync(w, [...w.events.published, ...w.events.published]);
    const [a, b] = shMock.commandCalls(BatchUpdateFindingsV2Command).map((c) => c.args[0].input);
    expect(b).toEqual(a);
  });

  it('a forged event is refused or left to retry: the stored action must back it', async () => {
    const w = world();
    const id = await planApplyVerify(w);
    const verified = w.events.ofType('Action Verified')[0]!;
    const guardDuty = {
      kind: 'securityhub-asff',
      id: 'gd-1',
      productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
    };
    shMock.reset();

    // Another finding named in an event of a real action (a role that may put to the lifecycle bus).
    expect(
      await sync(w, [{ detailType: 'Action Verified', detail: { ...verified.detail, origin: guardDuty } }]),
    ).toEqual([{ kind: 'refused', reason: "the event's origin is not the stored finding's" }]);
    // A rejection claimed for an action that was applied.
    expect(await sync(w, [{ detailType: 'Action Rejected', detail: verified.detail }])).toEqual([
      { kind: 'refused', reason: 'the action is not rejected' },
    ]);
    // An unknown action id.
    expect(
      await sync(w, [
        { detailType: 'Action Verified', detail: { ...verified.detail, action_id: 'sgrev-nope' } },
      ]),
    ).toEqual([{ kind: 'refused', reason: 'no such action' }]);
    // The row's origin edited by a role with UpdateItem: no longer the finding the action id covers.
    const stored = (await w.actions.get(id))!;
    const origin = {
      ...(stored.finding.source!.origin as Extract<FindingOrigin, { kind: 'securityhub-ocsf' }>),
      findingInfoUid: 'other',
    };
    w.actions.actions.set(
      id,
      structuredClone({
        ...stored,
        finding: { ...stored.finding, source: { ...stored.finding.source!, origin } },
      }),
    );
    expect(
      await sync(w, [{ detailType: 'Action Verified', detail: { ...verified.detail, origin } }]),
    ).toEqual([{ kind: 'refused', reason: "the origin is not the action's finding" }]);
    // A VERIFIED not (yet) recorded: thrown, so EventBridge retries it, then dead-letters and alarms.
    w.actions.actions.set(id, structuredClone({ ...stored, verification: null }));
    await expect(sync(w, [verified])).rejects.toThrow(StatusNotRecordedError);
    expect(shMock.calls()).toHaveLength(0);
  });

  it('a detector finding (no origin) is never written back', async () => {
    const w = world();
    const event = { detailType: 'Action Planned', detail: { action_id: 'sgrev-1', rules: [] } };
    expect(await sync(w, [event])).toEqual([{ kind: 'ignored' }]);
    expect(shMock.calls()).toHaveLength(0);
    expect(w.events.published).toHaveLength(0);
  });
});

describe('status write-back (ASFF, BatchUpdateFindings)', () => {
  it('planned → NOTIFIED with a note; skipped by a guardrail (protected group) → SUPPRESSED', async () => {
    const w = world();
    w.groups.put({ ...w.groups.groups.get(SG)!, groupId: 'sg-0a1b2c3d4e5f60008' });
    const [planned] = await planControlFinding(w, 'securityhub-asff', finding('asff.ec2-18.json'));
    if (planned?.kind !== 'recorded') throw new Error('not planned');
    const guarded = world();
    guarded.groups.put({ ...guarded.groups.groups.get(SG)!, groupId: 'sg-0a1b2c3d4e5f60008' });
    (guarded.config.protectedIds as Set<string>).add('sg-0a1b2c3d4e5f60008');
    await planControlFinding(guarded, 'securityhub-asff', finding('asff.ec2-18.json'));

    await sync(w, w.events.published);
    await sync(guarded, guarded.events.published);

    const id =
      'arn:aws:securityhub:us-east-1:111122223333:security-control/EC2.18/finding/6a1b2c3d-0008-4e5f-8a9b-111122223333';
    const identifiers = [{ Id: id, ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub' }];
    const calls = shMock.commandCalls(BatchUpdateFindingsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Workflow?.Status)).toEqual(['NOTIFIED', 'SUPPRESSED']);
    expect(calls[0]).toEqual({
      FindingIdentifiers: identifiers,
      Workflow: { Status: 'NOTIFIED' },
      Note: {
        Text: `sg-revoke action ${planned.action.actionId} planned, awaiting approval; rules: sgr-00000000000000001, sgr-00000000000000002`,
        UpdatedBy: 'sg-revoke',
      },
    });
    expect(calls[1]?.FindingIdentifiers).toEqual(identifiers);
    expect(calls[1]?.Note?.Text).toMatch(/protected/);
  });

  it('a finding of an account off the allow-list is never written back (not ours to suppress)', async () => {
    const w = world();
    w.groups.put({ ...w.groups.groups.get(SG)!, groupId: 'sg-0a1b2c3d4e5f60008' });
    w.config.allowedAccounts.clear();
    const [skipped] = await planControlFinding(w, 'securityhub-asff', finding('asff.ec2-18.json'));
    expect(skipped?.kind === 'recorded' && skipped.action.recordStatus).toBe('skipped_account_boundary');

    await sync(w, w.events.published);

    expect(shMock.calls()).toHaveLength(0);
  });
});

describe('a failing write-back', () => {
  it('throws (EventBridge retries it) and leaves the revoke done and the action untouched', async () => {
    const w = world();
    const id = await planApplyVerify(w);
    const before = await w.actions.get(id);
    shMock
      .on(BatchUpdateFindingsV2Command)
      .rejects(Object.assign(new Error('no route'), { name: 'InternalException' }));

    await expect(sync(w, w.events.ofType('Action Verified'))).rejects.toThrow(/BatchUpdateFindingsV2 failed/);

    expect(await w.actions.get(id)).toEqual(before);
    expect(before?.status).toBe('APPLIED');
    expect(w.groups.groups.get(SG)?.ingress.map((r) => r.ruleId)).not.toContain('sgr-00000000000000001');
  });

  it.each([
    [BatchUpdateFindingsV2Command, 'v2.compliance.ec2-19.json', 'securityhub-ocsf'],
    [BatchUpdateFindingsCommand, 'asff.ec2-18.json', 'securityhub-asff'],
  ] as const)('an UnprocessedFindings answer is a failure (%p)', async (command, file, shape) => {
    const w = world();
    w.groups.put({ ...w.groups.groups.get(SG)!, groupId: 'sg-0a1b2c3d4e5f60008' });
    shMock
      .on(command as never)
      .resolves({ UnprocessedFindings: [{ ErrorCode: 'FindingNotFound', ErrorMessage: 'gone' }] } as never);
    await planControlFinding(w, shape, finding(file));

    await expect(sync(w, w.events.ofType('Action Planned'))).rejects.toThrow(FindingNotUpdatedError);
  });
});
