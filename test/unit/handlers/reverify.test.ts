import type { Context, ScheduledEvent } from 'aws-lambda';
import { InMemoryEventPublisher, InMemoryEvidenceStore } from '../../support/fakes/fakes';
import { InMemoryControlStore } from '../../support/fakes/in-memory-control-store';
import { fleetWorld, seedApplied } from '../../support/fleet/watched-fleet';

const w = fleetWorld();

// The handler builds its adapters at import: here they are the in-memory world of this test.
jest.mock('../../../lambda/adapters/factories', () => ({
  securityGroups: () => w.groups,
  ec2Clients: () => null,
  actionStore: () => w.actions,
  evidenceStore: () => new InMemoryEvidenceStore(),
  eventBridgePublisher: () => new InMemoryEventPublisher(),
  sweepCheckpoints: () => w.checkpoints,
  controlStore: () => new InMemoryControlStore(),
}));

const ENV = {
  AWS_SG_REVOKE_ACTIONS_TABLE: 'sg-revoke-actions',
  AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE: 'sg-revoke-audit',
  AWS_SG_REVOKE_AUDIT_BUCKET: 'sg-revoke-audit',
  KMS_KEY_ARN: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000',
  AWS_SG_REVOKE_EVENT_BUS: 'sg-revoke-bus',
  POWERTOOLS_METRICS_DISABLED: 'false',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

describe('reverify handler', () => {
  it('returns normally when one check fails, with the failure in its summary and in the ReverifyCheckErrors metric', async () => {
    Object.assign(process.env, ENV);
    const ids = await seedApplied(w, 3);
    w.actions.failChecksOf.set(ids[1]!, new Error('ProvisionedThroughputExceededException'));
    const printed: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    });
    const { handler } =
      require('../../../lambda/handlers/reverify') as typeof import('../../../lambda/handlers/reverify');

    const summary = await handler(
      { id: 'evt-1' } as ScheduledEvent,
      {
        getRemainingTimeInMillis: () => 300_000,
      } as Context,
    );
    write.mockRestore();
    log.mockRestore();

    expect(summary).toMatchObject({ checked: 2, errors: 1, complete: true });
    expect(summary.failures).toEqual([`${ids[1]}: ProvisionedThroughputExceededException`]);
    const emf = printed
      .flatMap((text) => text.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(emf).toEqual([expect.objectContaining({ ReverifyCheckErrors: 1, ReverifyChecked: 2 })]);
  });
});
