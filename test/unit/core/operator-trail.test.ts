import { type AuditRow, buildAuditRow } from '../../../lambda/core/audit';
import { verifyOperatorEvidence } from '../../../lambda/core/audit-verify';
import { OPERATOR_PARTITION, PAUSE_KEY, type PauseState } from '../../../lambda/core/limits';

/** The kill switch's trail as setPause writes it: each row chained to the last, anchored by its S3 copy. */
function trail(steps: readonly ('pause' | 'resume')[]): AuditRow[] {
  const rows: AuditRow[] = [];
  for (const [i, step] of steps.entries()) {
    rows.push(
      buildAuditRow(
        {
          actionId: PAUSE_KEY,
          findingUid: PAUSE_KEY,
          accountUid: '111122223333',
          region: 'us-east-1',
          sgId: OPERATOR_PARTITION,
          sgName: OPERATOR_PARTITION,
          rules: [],
          step,
          status: step === 'pause' ? 'paused' : 'resumed',
          detail: `operator ${step} ${i}`,
          incidentId: null,
          approver: null,
          caller: 'arn:aws:sts::111122223333:assumed-role/SecurityOperator/carol',
          mode: 'cli',
        },
        `2026-12-0${i + 1}T10:00:00.000Z`,
        rows.at(-1)?.row_hash ?? null,
      ),
    );
  }
  return rows;
}

const anchored = (rows: readonly AuditRow[]) =>
  new Map(rows.map((r) => [r.s3_key, { body: JSON.stringify(r), versions: 1 }]));
const stateOf = (rows: readonly AuditRow[], paused: boolean): PauseState => ({
  paused,
  reason: 'x',
  by: 'y',
  at: null,
  auditHead: rows.at(-1)?.row_hash ?? null,
});

describe("the kill switch's own audit trail (operator partition)", () => {
  it('pause, resume, pause: intact, and the switch is on', () => {
    const rows = trail(['pause', 'resume', 'pause']);

    expect(verifyOperatorEvidence({ rows, objects: anchored(rows), state: stateOf(rows, true) })).toEqual({
      action_id: PAUSE_KEY,
      status: 'intact',
      action_status: 'paused',
      rows: 3,
      problems: [],
    });
  });

  it('no row and a switch that is off: intact (never used)', () => {
    const verdict = verifyOperatorEvidence({ rows: [], objects: new Map(), state: stateOf([], false) });

    expect(verdict).toMatchObject({ status: 'intact', action_status: 'running', rows: 0 });
  });

  it('a pause cleared by hand (no resume row) is tampered', () => {
    const rows = trail(['pause']);

    const verdict = verifyOperatorEvidence({ rows, objects: anchored(rows), state: stateOf(rows, false) });

    expect(verdict.status).toBe('tampered');
    expect(verdict.problems).toContain('the kill switch is off but its audit trail leaves it on');
  });

  it('two pauses in a row (a row that flips nothing) are tampered', () => {
    const rows = trail(['pause', 'pause']);

    const verdict = verifyOperatorEvidence({ rows, objects: anchored(rows), state: stateOf(rows, true) });

    expect(verdict.status).toBe('tampered');
    expect(verdict.problems.join('\n')).toMatch(/is pause\/paused while the switch was on/);
  });

  it('a row rewritten in the table no longer matches its S3 original, and breaks the chain', () => {
    const rows = trail(['pause', 'resume']);
    const objects = anchored(rows);
    const edited = rows.map((r, i) => (i === 0 ? { ...r, caller: 'someone-else' } : r));

    const verdict = verifyOperatorEvidence({ rows: edited, objects, state: stateOf(rows, false) });

    expect(verdict.status).toBe('tampered');
    expect(verdict.problems.join('\n')).toMatch(/does not hash to its row_hash/);
    expect(verdict.problems.join('\n')).toMatch(/differs from its original S3 evidence/);
  });

  it('an audit head that is not the last row (a row dropped from the trail) is tampered', () => {
    const rows = trail(['pause', 'resume']);

    const verdict = verifyOperatorEvidence({
      rows: rows.slice(0, 1),
      objects: anchored(rows),
      state: stateOf(rows, false),
    });

    expect(verdict.status).toBe('tampered');
    expect(verdict.problems.join('\n')).toMatch(/audit head .* is not the last operator row/);
  });
});
