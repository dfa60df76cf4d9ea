import { toItem } from '../../../lambda/adapters/dynamodb-action-item';
import { verifyAuditChain } from '../../../lambda/core/audit';
import { reverifyActions } from '../../../lambda/usecases/reverify-actions';
import { dynamoItemBytes } from '../../support/fleet/item-size';
import { fleetWorld, groupIdOf, seedApplied, setOpen } from '../../support/fleet/watched-fleet';

const RUN_MS = 15 * 60_000;
const RUNS = 2_880; // 30 days of 15-minute checks
const DAY_RUNS = 96;

/** What each action's group looks like at run `r`: the scenario, in one place. */
function liveStateAt(i: number, r: number): 'closed' | 'open' | 'unreadable' {
  if (i < 5) return r >= 100 + i * 400 ? 'open' : 'closed'; // 5 %: drift that stays
  if (i < 8) return Math.floor(r / (37 + i)) % 2 === 1 ? 'open' : 'closed'; // flapping
  if (i < 10) return r % 700 >= 650 ? 'unreadable' : 'closed'; // 50-run outages
  return 'closed';
}

describe('reverify over 30 simulated days (100 actions, 2,880 runs, in memory)', () => {
  it('keeps every item small, writes audit rows in O(changes + days), and keeps every change with its chain', async () => {
    const w = fleetWorld({ verifyWindowDays: 31 });
    const ids = await seedApplied(w, 100);
    const expected = new Map<string, string[]>(ids.map((id) => [id, []]));
    const current = new Map<number, string>();
    let largest = 0;

    for (let r = 0; r < RUNS; r++) {
      for (const [i, id] of ids.entries()) {
        const state = liveStateAt(i, r);
        const sgId = groupIdOf(i);
        if (current.get(i) !== state) {
          current.set(i, state);
          setOpen(w.groups, sgId, state === 'open');
          if (state === 'unreadable') w.groups.readErrors.set(sgId, 'RequestLimitExceeded');
          else w.groups.readErrors.delete(sgId);
        }
        const status = state === 'open' ? 'drift' : state === 'unreadable' ? 'unreachable' : 'verified';
        const seen = expected.get(id) as string[];
        if (seen.at(-1) !== status) seen.push(status);
      }
      const summary = await reverifyActions(w, { runId: `run-${r}` });
      expect(summary).toMatchObject({ checked: 100, errors: 0, complete: true });
      if (r % DAY_RUNS === DAY_RUNS - 1) {
        for (const a of w.actions.actions.values()) largest = Math.max(largest, dynamoItemBytes(toItem(a)));
      }
      w.clock.advance(RUN_MS);
    }

    expect(largest).toBeLessThan(50 * 1024);
    const changes = [...expected.values()].reduce((n, statuses) => n + statuses.length, 0);
    const verifyRows = w.actions.auditRows.filter((row) => row.step === 'verify');
    // One row per change, one heartbeat a day, and the UNREACHABLE thresholds: never one per check.
    expect(verifyRows.length).toBeLessThanOrEqual(changes + 100 * 31 + 2 * 8);
    expect(verifyRows.length).toBeLessThan((RUNS * 100) / 50); // before: one row per check, 288,000
    expect(w.evidence.objects.size).toBe(w.actions.auditRows.length);
    for (const id of ids) {
      const rows = w.actions.rowsOf(id);
      expect(verifyAuditChain(rows)).toBe(-1);
      const recorded = rows
        .filter((row) => row.step === 'verify')
        .map((row) => row.status)
        .filter((status, k, all) => k === 0 || all[k - 1] !== status);
      expect(recorded).toEqual(expected.get(id));
      const action = w.actions.actions.get(id);
      expect(action?.history).toHaveLength(2);
      expect(action?.checks).toBe(RUNS);
    }
  });
});
