/**
 * Unexpected failures: `…Error` subclasses with a cause (STYLE §7). Expected outcomes are values.
 * Each class spells its `name` (STYLE §14): the Lambda bundles are minified, which renames classes,
 * and a log must still say `ConflictError`, not `Mr`.
 */
export class SgRevokeError extends Error {
  override readonly name: string = 'SgRevokeError';
}

/** A conditional write lost: the action is not in the state (or audit head) the caller expected. */
export class ConflictError extends SgRevokeError {
  override readonly name: string = 'ConflictError';
}

/** The approval a change would consume was consumed before: a replay. */
export class ApprovalReplayError extends ConflictError {
  override readonly name = 'ApprovalReplayError';
}

/** AWS refused the call for lack of permission. */
export class AccessDeniedError extends SgRevokeError {
  override readonly name = 'AccessDeniedError';
}

/** AWS kept throttling after the retries. */
export class ThrottledError extends SgRevokeError {
  override readonly name = 'ThrottledError';
}

/** Any other AWS failure, with the AWS error code when there is one. */
export class AwsCallError extends SgRevokeError {
  override readonly name = 'AwsCallError';

  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A configuration value is missing or malformed (names the variable). */
export class ConfigError extends SgRevokeError {
  override readonly name = 'ConfigError';
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A pagination cursor that this service did not issue (or that was tampered with). */
export class InvalidCursorError extends SgRevokeError {
  override readonly name = 'InvalidCursorError';
}

/**
 * An error's message with its causes (`fetch failed: getaddrinfo ENOTFOUND api.example`): a
 * network failure says why only in its `cause`. A cause already quoted by its parent is skipped.
 */
export function messageWithCauses(error: unknown): string {
  let text = '';
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    const message = messageOf(current);
    const part = typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
    if (part !== '' && !text.includes(part)) text = text === '' ? part : `${text}: ${part}`;
    current = current instanceof Error ? current.cause : undefined;
  }
  return text;
}
