import { PassThrough, Readable } from 'node:stream';
import type { SignedApiClient } from '../../../lambda/adapters/signed-api-client';
import { runActions } from '../../../lambda/cli/actions-command';
import { buildImpact } from '../../../lambda/core/impact';
import type { Cidr } from '../../../lambda/core/permission';
import { eni } from '../../support/fakes/in-memory-impact';

const impact = buildImpact(
  { kind: 'listed', interfaces: [eni('eni-0a1b2c3d4e5f60001', { publicIpv4: '203.0.113.10' })] },
  ['0.0.0.0/0' as Cidr],
  { status: 'not-configured' },
);
const VIEW = { actionId: 'sgrev-0123456789abcdef', plan: { planHash: 'a'.repeat(64), targets: [], impact } };

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  return {
    io: { stdin: Readable.from([]), stdout, stderr, env: {}, nowMs: () => 0, workerScript: null },
    out: () => out,
    err: () => err,
  };
}

/** The approval API as the CLI sees it: one canned answer per path. */
const api = (answers: Record<string, { status: number; body: unknown }>) => {
  const calls: string[] = [];
  const client = {
    request: async (method: string, path: string) => {
      calls.push(`${method} ${path}`);
      return answers[`${method} ${path}`] ?? { status: 404, body: { error: 'not-found' } };
    },
  } as unknown as SignedApiClient;
  return { client, calls };
};

describe('sg-revoke actions show: the approver reads the impact first', () => {
  it('prints the summary line on stderr and the action JSON on stdout', async () => {
    const t = io();
    const { client } = api({ 'GET actions/sgrev-0123456789abcdef': { status: 200, body: VIEW } });

    const code = await runActions(
      ['show', 'sgrev-0123456789abcdef', '--api', 'https://x.example/prod'],
      t.io,
      client,
    );

    expect(code).toBe(0);
    expect(t.err()).toBe(
      'impact: exposed; 1 interface, 1 with a public address; used by instance i-0a1b2c3d4e5f60001; ' +
        'flow logs: not configured\n',
    );
    expect(JSON.parse(t.out())).toEqual(VIEW);
  });

  it('says `not previewed` for an action planned before the preview existed', async () => {
    const t = io();
    const old = { ...VIEW, plan: { planHash: 'a'.repeat(64), targets: [] } };
    const { client } = api({ 'GET actions/sgrev-0123456789abcdef': { status: 200, body: old } });

    await runActions(['show', 'sgrev-0123456789abcdef', '--api', 'https://x.example/prod'], t.io, client);

    expect(t.err()).toBe('impact: not previewed\n');
  });

  it('approve shows the impact before binding the plan hash', async () => {
    const t = io();
    const { client, calls } = api({
      'GET actions/sgrev-0123456789abcdef': { status: 200, body: VIEW },
      'POST actions/sgrev-0123456789abcdef/approve': { status: 200, body: { status: 'APPROVED' } },
    });

    const code = await runActions(
      ['approve', 'sgrev-0123456789abcdef', '--incident', 'INC-1', '--api', 'https://x.example/prod'],
      t.io,
      client,
    );

    expect(code).toBe(0);
    expect(calls).toEqual([
      'GET actions/sgrev-0123456789abcdef',
      'POST actions/sgrev-0123456789abcdef/approve',
    ]);
    expect(t.err().split('\n')[1]).toMatch(/^impact: exposed; /);
  });
});
