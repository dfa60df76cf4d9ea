/** Unexpected failures: `…Error` subclasses with a cause (STYLE §7). Expected outcomes are values. */
export class SgRevokeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A conditional write lost: the action is not in the state (or audit head) the caller expected. */
export class ConflictError extends SgRevokeError {}

/** AWS refused the call for lack of permission. */
export class AccessDeniedError extends SgRevokeError {}

/** AWS kept throttling after the retries. */
export class ThrottledError extends SgRevokeError {}

/** Any other AWS failure, with the AWS error code when there is one. */
export class AwsCallError extends SgRevokeError {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A configuration value is missing or malformed (names the variable). */
export class ConfigError extends SgRevokeError {}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A pagination cursor that this service did not issue (or that was tampered with). */
export class InvalidCursorError extends SgRevokeError {}
