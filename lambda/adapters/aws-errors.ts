import { isThrottlingError } from '@smithy/core/retry';
import { AccessDeniedError, AwsCallError, type SgRevokeError, ThrottledError } from '../core/errors';

const ACCESS_DENIED = new Set(['UnauthorizedOperation', 'Client.UnauthorizedOperation', 'AuthFailure']);

/**
 * The AWS error code of an SDK exception: `Code` for the query protocols (EC2, STS), else the
 * exception name. A bare `Error` (socket, timeout) has no AWS code.
 */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { Code, name } = error as { Code?: unknown; name?: unknown };
  if (typeof Code === 'string' && Code !== '') return Code;
  if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
  return undefined;
}

export function describeAwsError(error: unknown): string {
  const code = awsErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code}: ${message}` : message;
}

export const isAccessDenied = (code: string | undefined): boolean =>
  code !== undefined && (ACCESS_DENIED.has(code) || code.startsWith('AccessDenied'));

/**
 * The SDK's own classification (the list its retry strategy uses, HTTP 429, the throttling
 * trait), applied to the AWS code: the query protocols carry it in `Code`, not always in `name`.
 */
export function isThrottled(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { $metadata, $retryable } = error as { $metadata?: unknown; $retryable?: unknown };
  return isThrottlingError({ name: awsErrorCode(error) ?? '', $metadata, $retryable } as Parameters<
    typeof isThrottlingError
  >[0]);
}

/**
 * SDK exception → domain error (STYLE §7). Throttling reaches here only after the SDK's own
 * retries gave up, so it is reported as such rather than retried again.
 */
export function translateAwsError(error: unknown, call: string): SgRevokeError {
  const code = awsErrorCode(error);
  const message = `${call} failed: ${describeAwsError(error)}`;
  if (isAccessDenied(code)) return new AccessDeniedError(message, { cause: error });
  if (isThrottled(error)) return new ThrottledError(message, { cause: error });
  return new AwsCallError(message, code, { cause: error });
}

/** Runs one SDK call; its failure leaves as a domain error naming the call. */
export async function translated<T>(call: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateAwsError(error, call);
  }
}
