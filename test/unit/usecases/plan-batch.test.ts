import { batchPlanner, findingsOf, PoisonMessageError } from '../../../lambda/usecases/plan-batch';
import { sshFinding, world } from './world';

const envelope = (detail: unknown) =>
  JSON.stringify({ version: '0', id: 'evt-1', source: 'detector', detail });

describe('findingsOf', () => {
  it('takes one finding from an object detail and each finding from an array detail', () => {
    expect(findingsOf(envelope({ a: 1 }))).toEqual([{ a: 1 }]);
    expect(findingsOf(envelope([{ a: 1 }, { b: 2 }]))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it.each([
    ['a body that is not JSON', 'not an event'],
    ['an event without detail', JSON.stringify({ id: 'evt-1' })],
    ['an empty array detail', envelope([])],
  ])('refuses %s loudly, so the message goes to the DLQ', (_name, body) => {
    expect(() => findingsOf(body)).toThrow(PoisonMessageError);
  });
});

describe('batchPlanner', () => {
  it('reads a group named by many findings of the batch once, then plans each finding', async () => {
    const w = world();
    const second = sshFinding() as { finding_info: { uid: string }; metadata: { uid: string } };
    second.finding_info.uid = 'asg-0a1b2c3d4e5f6099';
    second.metadata.uid = 'asg-0a1b2c3d4e5f6099';
    const bodies = [envelope(sshFinding()), envelope([second, { not: 'a finding' }])];

    const planner = await batchPlanner(w, bodies);
    const results = [...(await planner.plan(bodies[0]!)), ...(await planner.plan(bodies[1]!))];

    expect(results.map((r) => r.kind)).toEqual(['recorded', 'recorded', 'rejected']);
    expect(w.groups.describeCalls).toBe(1);
    expect(w.actions.actions.size).toBe(2);
    expect(w.events.ofType('Action Skipped')).toHaveLength(1);
  });

  it('fails the one poison message of a batch and plans the others', async () => {
    const w = world();
    const bodies = ['not an event', envelope(sshFinding())];

    const planner = await batchPlanner(w, bodies);

    await expect(planner.plan(bodies[0]!)).rejects.toThrow(PoisonMessageError);
    expect((await planner.plan(bodies[1]!)).map((r) => r.kind)).toEqual(['recorded']);
  });

  it('never reads the groups of an account the deployment may not touch', async () => {
    const w = world();
    w.config.allowedAccounts.clear();

    await batchPlanner(w, [envelope(sshFinding())]);

    expect(w.groups.describeCalls).toBe(0);
  });
});
