import type { Action } from '../../../lambda/core/action';
import { buildAuditRow } from '../../../lambda/core/audit';
import type { AuditTrail, EvidenceArchive } from '../../../lambda/core/ports';
import { applyAction } from '../../../lambda/usecases/apply-action';
import { decideApproval } from '../../../lambda/usecases/decide-approval';
import { planFinding } from '../../../lambda/usecases/plan-finding';
import { verifyAuditOf } from '../../../lambda/usecases/verify-audit';
import { sshFinding, type World, world } from './world';

/** The audit as the adapters read it back: the in-memory rows and the original S3 bodies. */
function readers(w: World, versions = new Map<string, number>()) {
  const trail: AuditTrail = { rowsOf: async ({ actionId }) => w.actions.rowsOf(actionId) };
  const archive: EvidenceArchive = {
    oldest: async (key) => {
      const row = w.evidence.objects.get(key);
      return row ? { body: JSON.stringify(row), versions: versions.get(key) ?? 1 } : null;
    },
  };
  return { actions: w.actions, trail, archive, verifier: w.approvalKey.verifier };
}

async function applied(w: World): Promise<Action> {
  const planned = await planFinding(w, sshFinding());
  if (planned.kind !== 'recorded') throw new Error('not planned');
  const id = planned.action.actionId;
  const r = await decideApproval(w.approvals, id, w.approver, {
    verb: 'approve',
    incidentId: 'INC-1',
    planHash: planned.action.plan?.planHash ?? '',
  });
  if (!r.ok) throw new Error(r.error.message);
  await applyAction(w, id);
  return (await w.actions.get(id))!;
}

const write = (w: World, a: Action) => w.actions.actions.set(a.actionId, structuredClone(a));

describe('audit verify (DESIGN §11)', () => {
  it('reports an untouched applied history intact', async () => {
    const w = world();
    const a = await applied(w);

    const verdict = await verifyAuditOf(readers(w), a.actionId);

    expect(verdict).toEqual({
      action_id: a.actionId,
      status: 'intact',
      action_status: 'APPLIED',
      rows: 3,
      problems: [],
    });
  });

  it('catches rows re-sealed with a new approver and pointed at new S3 objects', async () => {
    const w = world();
    const a = await applied(w);
    let prev: string | null = null;
    for (const row of w.actions.rowsOf(a.actionId)) {
      const forged = buildAuditRow(
        {
          actionId: row.action_id,
          findingUid: row.finding_uid,
          accountUid: row.account_uid,
          region: row.region,
          sgId: row.sg_id,
          sgName: row.sg_name,
          rules: row.rules,
          revokedRules: row.revoked_rules,
          step: row.step,
          status: row.status,
          detail: row.status_detail,
          incidentId: 'INC-X',
          approver: 'mallory',
          caller: row.caller,
          mode: 'cli',
        },
        row.action_at.split('#')[0]!,
        prev,
      );
      const moved = { ...forged, s3_key: `${forged.s3_key}-x.json` };
      w.evidence.objects.set(moved.s3_key, moved);
      Object.assign(row, moved);
      prev = moved.row_hash;
    }
    write(w, { ...a, auditHead: prev });

    const verdict = await verifyAuditOf(readers(w), a.actionId);

    expect(verdict?.status).toBe('tampered');
    expect(verdict?.problems.join('\n')).toMatch(/not at its own evidence key/);
  });

  it.each(['FAILED', 'BLOCKED', 'PENDING_APPROVAL'] as const)(
    'catches an applied action moved to %s by a single UpdateItem (it would leave reverify)',
    async (status) => {
      const w = world();
      const a = await applied(w);
      write(w, { ...a, status });

      const verdict = await verifyAuditOf(readers(w), a.actionId);

      expect(verdict?.problems).toContain(`the action is ${status} but its audit trail leads to APPLIED`);
    },
  );

  it('catches a well-chained approval row appended after the revoke', async () => {
    const w = world();
    const a = await applied(w);
    const last = w.actions.rowsOf(a.actionId).at(-1)!;
    const appended = buildAuditRow(
      {
        actionId: a.actionId,
        findingUid: last.finding_uid,
        accountUid: last.account_uid,
        region: last.region,
        sgId: last.sg_id,
        sgName: last.sg_name,
        rules: [],
        step: 'approve',
        status: 'approved',
        detail: 'x',
        incidentId: 'INC-X',
        approver: 'mallory',
        caller: 'mallory',
        mode: 'cli',
      },
      '2099-01-01T00:00:00.000Z',
      last.row_hash,
    );
    w.actions.auditRows.push(appended);
    w.evidence.objects.set(appended.s3_key, appended);
    write(w, { ...a, status: 'FAILED', auditHead: appended.row_hash });

    const verdict = await verifyAuditOf(readers(w), a.actionId);

    expect(verdict?.problems.join('\n')).toMatch(
      /audit step approve\/approved .* is not legal after APPLIED/,
    );
  });

  it('catches an action row replaced by a fresh pending plan of another group', async () => {
    const w = world();
    const a = await applied(w);
    write(w, {
      ...a,
      status: 'PENDING_APPROVAL',
      auditHead: null,
      approval: null,
      outcome: null,
      finding: { ...a.finding, sgId: 'sg-0fffffffffffffff0' },
    });

    const verdict = await verifyAuditOf(readers(w), a.actionId);

    expect(verdict?.status).toBe('tampered');
    expect(verdict?.problems).toContain("the action's finding does not hash to its action id");
  });

  it('reports a second S3 version and a missing object', async () => {
    const w = world();
    const a = await applied(w);
    const [first, second] = w.actions.rowsOf(a.actionId);
    w.evidence.objects.delete(second!.s3_key);

    const verdict = await verifyAuditOf(readers(w, new Map([[first!.s3_key, 2]])), a.actionId);

    expect(verdict?.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/has 2 versions: it was overwritten/),
        expect.stringMatching(/has no S3 evidence object/),
      ]),
    );
  });

  it('reports a malformed action row as tampered instead of failing the whole run', async () => {
    const w = world();
    const a = await applied(w);
    write(w, { ...a, plan: { ...a.plan!, targets: 'x' as never } });

    const verdict = await verifyAuditOf(readers(w), a.actionId);

    expect(verdict?.status).toBe('tampered');
    expect(verdict?.problems[0]).toMatch(/malformed/);
  });
});
