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
  override readonly name = 'ConflictError';
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
