import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
// zod/mini keeps this bundle small (full zod is ~445 KB); the checks are the same.
import * as z from 'zod/mini';
import type { Action } from '../core/action';
import { InvalidCursorError } from '../core/errors';
import { summarizeImpact } from '../core/impact';
import type { ActionStore } from '../core/ports';
import { ACTION_STATUSES } from '../core/state-machine';
import { type ApprovalDeps, type ApprovalError, decideApproval } from '../usecases/decide-approval';
import { requestRollback } from '../usecases/request-rollback';

export interface ApiDeps {
  readonly approvals: ApprovalDeps;
  readonly actions: ActionStore;
  /** True when the caller's principal ARN matches a viewer pattern (AWS_SG_REVOKE_VIEWER_PRINCIPALS). */
  readonly isViewer: (principalArn: string) => boolean;
}

const INCIDENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{2,127}$/;
const approveBody = z.strictObject({
  incidentId: z
    .string()
    .check(z.regex(INCIDENT_ID, 'incidentId must be 3-128 of A-Z a-z 0-9 . _ : / - (e.g. INC-2026-0042)')),
  planHash: z
    .string()
    .check(z.regex(/^[0-9a-f]{64}$/, 'planHash must be the 64-hex plan hash from GET /actions/{id}')),
});
const reason = z
  .string()
  .check(z.trim(), z.minLength(3, 'reason needs at least 3 characters'), z.maxLength(1000));
const rejectBody = z.strictObject({ reason });
const rollbackBody = z.strictObject({
  incidentId: z
    .string()
    .check(z.regex(INCIDENT_ID, 'incidentId must be 3-128 of A-Z a-z 0-9 . _ : / - (e.g. INC-2026-0042)')),
  reason,
});
const listQuery = z.strictObject({
  status: z._default(z.enum(ACTION_STATUSES), 'PENDING_APPROVAL'),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 25),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
});

const STATUS: Record<ApprovalError['kind'] | 'bad-request', number> = {
  'bad-request': 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  expired: 410,
};

export const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});
const fail = (kind: keyof typeof STATUS, message: string) => json(STATUS[kind], { error: kind, message });

function parseBody<T>(
  schema: z.ZodMiniType<T>,
  raw: string | null,
): { ok: true; value: T } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? '');
  } catch {
    return { ok: false, message: 'body is not valid JSON' };
  }
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, message: z.prettifyError(parsed.error) };
}

/**
 * The view of an action the approver decides on: everything but the internal audit head, plus the
 * impact preview's one-line summary when the plan has a preview (the preview itself is in `plan`).
 */
export const viewOf = ({ auditHead: _internal, ...view }: Action) =>
  view.plan?.impact ? { ...view, impactSummary: summarizeImpact(view.plan.impact) } : view;

/** API Gateway (AWS_IAM) → use case. The approver is the SigV4-authenticated caller, never the body. */
export async function route(deps: ApiDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const caller = event.requestContext?.identity?.userArn;
  if (!caller) return fail('forbidden', 'request is not SigV4-authenticated (no caller ARN)');
  // Actions carry before-images, approvers and incident ids: only approvers and viewers read them,
  // and anyone else learns nothing, not even whether an id exists.
  if (!deps.approvals.isApprover(caller) && !deps.isViewer(caller)) {
    return fail(
      'forbidden',
      `${caller} is neither an approver nor a viewer (AWS_SG_REVOKE_APPROVER_PRINCIPALS, AWS_SG_REVOKE_VIEWER_PRINCIPALS)`,
    );
  }
  const id = event.pathParameters?.id ?? '';
  const key = `${event.httpMethod} ${event.resource}`;
  if (key === 'GET /actions') {
    const q = listQuery.safeParse(event.queryStringParameters ?? {});
    if (!q.success) return fail('bad-request', z.prettifyError(q.error));
    try {
      const page = await deps.actions.listByStatus(q.data.status, q.data.limit, q.data.cursor ?? null);
      return json(200, { items: page.items.map(viewOf), cursor: page.cursor });
    } catch (error) {
      if (error instanceof InvalidCursorError) return fail('bad-request', error.message);
      throw error;
    }
  }
  if (!/^sgrev-[0-9a-f]{16}$/.test(id)) return fail('not-found', `no action ${id.slice(0, 64)}`);
  if (key === 'GET /actions/{id}') {
    const action = await deps.actions.get(id);
    return action ? json(200, viewOf(action)) : fail('not-found', `no action ${id}`);
  }
  if (key === 'POST /actions/{id}/approve' || key === 'POST /actions/{id}/reject') {
    const approve = key.endsWith('approve');
    const body = approve ? parseBody(approveBody, event.body) : parseBody(rejectBody, event.body);
    if (!body.ok) return fail('bad-request', body.message);
    const decision = approve
      ? { verb: 'approve' as const, ...(body.value as z.infer<typeof approveBody>) }
      : { verb: 'reject' as const, ...(body.value as z.infer<typeof rejectBody>) };
    const result = await decideApproval(deps.approvals, id, caller, decision);
    return result.ok ? json(200, viewOf(result.value)) : fail(result.error.kind, result.error.message);
  }
  if (key === 'POST /actions/{id}/rollback') {
    const body = parseBody(rollbackBody, event.body);
    if (!body.ok) return fail('bad-request', body.message);
    const result = await requestRollback(deps.approvals, id, caller, body.value);
    return result.ok ? json(200, viewOf(result.value)) : fail(result.error.kind, result.error.message);
  }
  return fail('not-found', `no route ${key}`);
}
