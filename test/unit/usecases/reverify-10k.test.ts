import { reverifyActions } from '../../../lambda/usecases/reverify-actions';
import { fleetWorld, groupIdOf, seedApplied, setOpen } from '../../support/fleet/watched-fleet';

describe('one reverify pass over 10,000 actions (in memory)', () => {
  it('checks every action once, reads each group once, and records only the first checks and the drifts', async () => {
    const w = fleetWorld();
    await seedApplied(w, 10_000, { groupCount: 1_000, regions: ['us-east-1', 'eu-west-1'] });
    setOpen(w.groups, groupIdOf(0), true); // 10 actions on group 0 drift
    await reverifyActions(w, { runId: 'first' });
    w.clock.advance(15 * 60_000);
    const describes = w.groups.describeCalls;
    const rows = w.actions.auditRows.length;

    const summary = await reverifyActions(w, { runId: 'second' });

    expect(summary).toMatchObject({
      checked: 10_000,
      verified: 9_990,
      drift: 10,
      confirmed: 10_000,
      recorded: 0,
      errors: 0,
      complete: true,
    });
    expect(w.groups.describeCalls - describes).toBe(1_000);
    expect(w.actions.auditRows.length).toBe(rows);
  });
});
