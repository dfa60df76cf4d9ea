import { parseArgs } from 'node:util';
import { regionOfApi, SignedApiClient } from '../adapters/signed-api-client';
import { messageOf, messageWithCauses } from '../core/errors';
import { type Impact, summarizeImpact } from '../core/impact';
import { checkAwsSetup } from './aws-setup';
import type { CliIo } from './plan-command';
import { EXIT_FAILURE, EXIT_OK, usageError } from './usage-error';

const USAGE =
  'actions list|show ID|approve ID --incident INC|reject ID --reason TEXT|rollback ID --incident INC --reason TEXT --api URL';

/**
 * `sg-revoke actions …`: the incident commander's client of the approval API. Every request is
 * SigV4-signed with the caller's own credentials; the API takes the approver from that signature.
 */
export async function runActions(
  argv: readonly string[],
  io: CliIo,
  client?: SignedApiClient,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return usageError(io.stderr, `${messageOf(error)} (usage: sg-revoke ${USAGE})`);
  }
  const { verb, id, values } = parsed;
  let api: SignedApiClient;
  try {
    const url = new URL(values.api ?? io.env.SG_REVOKE_API_URL ?? '');
    api = client ?? new SignedApiClient(url, regionOfApi(url, values.region ?? io.env.AWS_REGION));
  } catch (error) {
    return usageError(io.stderr, `--api URL is required (or SG_REVOKE_API_URL): ${messageOf(error)}`);
  }
  if (!client) {
    const setup = await checkAwsSetup('actions', false);
    if (!setup.ok) return usageError(io.stderr, setup.error);
  }
  const path = `actions/${encodeURIComponent(id)}`;
  let response: { status: number; body: unknown };
  try {
    if (verb === 'list') {
      const query: Record<string, string> = {
        status: values.status ?? 'PENDING_APPROVAL',
        limit: values.limit ?? '25',
      };
      if (values.cursor) query.cursor = values.cursor;
      response = await api.request('GET', 'actions', query);
    } else if (verb === 'show') {
      response = await api.request('GET', path);
      // The human line goes to stderr: stdout stays one JSON document per call.
      const shown = planOf(response.body);
      if (response.status === 200 && shown) io.stderr.write(`${summarizeImpact(shown.impact)}\n`);
    } else if (verb === 'approve') {
      // Bind the approval to the plan as it is now, shown to the approver on stderr first.
      const view = await api.request('GET', path);
      const plan = planOf(view.body);
      if (view.status !== 200 || !plan?.planHash) return report(io, view);
      io.stderr.write(`approving plan ${plan.planHash}: ${JSON.stringify(plan.targets)}\n`);
      io.stderr.write(`${summarizeImpact(plan.impact)}\n`);
      response = await api.request(
        'POST',
        `${path}/approve`,
        {},
        { incidentId: values.incident, planHash: values['plan-hash'] ?? plan.planHash },
      );
    } else if (verb === 'rollback') {
      response = await api.request(
        'POST',
        `${path}/rollback`,
        {},
        { incidentId: values.incident, reason: values.reason },
      );
    } else {
      response = await api.request('POST', `${path}/reject`, {}, { reason: values.reason });
    }
  } catch (error) {
    // `fetch failed` says why only in its cause (ENOTFOUND, ECONNREFUSED, a TLS error …).
    io.stderr.write(`sg-revoke: the API call failed: ${messageWithCauses(error)}\n`);
    return EXIT_FAILURE;
  }
  return report(io, response);
}

type PlanView = { planHash?: string; targets?: unknown; impact?: Impact };
const planOf = (body: unknown): PlanView | undefined =>
  (body as { plan?: PlanView } | null)?.plan ?? undefined;

function report(io: CliIo, response: { status: number; body: unknown }): number {
  io.stdout.write(`${JSON.stringify(response.body)}\n`);
  return response.status >= 200 && response.status < 300 ? EXIT_OK : EXIT_FAILURE;
}

const VERBS = ['list', 'show', 'approve', 'reject', 'rollback'] as const;

function parse(argv: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      api: { type: 'string' },
      region: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      incident: { type: 'string' },
      'plan-hash': { type: 'string' },
      reason: { type: 'string' },
    },
  });
  const [verb, id = ''] = positionals;
  if (!VERBS.includes(verb as (typeof VERBS)[number]))
    throw new Error(`unknown actions verb \`${verb ?? ''}\``);
  if (verb !== 'list' && !id) throw new Error(`\`actions ${verb}\` needs an action id`);
  if (verb === 'approve' && !values.incident) throw new Error('`actions approve` needs --incident INC-…');
  if (verb === 'reject' && !values.reason) throw new Error('`actions reject` needs --reason TEXT');
  if (verb === 'rollback' && (!values.incident || !values.reason)) {
    throw new Error('`actions rollback` needs --incident INC-… and --reason TEXT');
  }
  return { verb: verb as (typeof VERBS)[number], id, values };
}
