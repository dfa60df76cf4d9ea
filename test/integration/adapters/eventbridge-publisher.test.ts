import { destroyClients, eventBridgeClient } from '../../../lambda/adapters/clients';
import { EventBridgePublisher } from '../../../lambda/adapters/eventbridge-publisher';
import { AwsCallError } from '../../../lambda/core/errors';
import { captureEvents, describeMoto, resetMoto } from '../moto/resources';

describeMoto('EventBridgePublisher on moto_server', () => {
  beforeEach(resetMoto);
  afterAll(destroyClients);

  it('delivers every event through a bus rule to a target (12 events, two batches)', async () => {
    const capture = await captureEvents('sg-revoke-bus');
    const publisher = new EventBridgePublisher(eventBridgeClient(), capture.busName);
    const events = Array.from({ length: 12 }, (_, i) => ({
      detailType: i % 2 ? 'Applied' : 'Planned',
      detail: { action_id: `sgrev-${i}`, status: 'ok' },
    }));

    await publisher.publish(events);

    const delivered = await capture.receive(12);
    expect(delivered).toHaveLength(12);
    expect(new Set(delivered.map((e) => e.source))).toEqual(new Set(['sg-revoke']));
    const byId = (e: { detail: Record<string, unknown> }) => String(e.detail.action_id);
    expect(delivered.map((e) => [byId(e), e['detail-type'], e.detail]).sort()).toEqual(
      events.map((e) => [e.detail.action_id, e.detailType, e.detail]).sort(),
    );
  });

  it('fails with the AWS code when the bus does not exist', async () => {
    const publisher = new EventBridgePublisher(eventBridgeClient(), 'no-such-bus');

    const error = await publisher.publish([{ detailType: 'Planned', detail: {} }]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).code).toBe('ResourceNotFoundException');
  });
});
