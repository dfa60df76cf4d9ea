import { InvalidConfigError, oneLineConfigError } from '../lib/config';
import { createSgRevokeApp, withNagChecks } from '../lib/sg-revoke-app';

// A missing or bad context value is the deployer's to fix: one line naming every key, no stack trace.
try {
  const { app } = createSgRevokeApp();
  withNagChecks(app).synth();
} catch (error) {
  if (!(error instanceof InvalidConfigError)) throw error;
  process.stderr.write(`sg-revoke: ${oneLineConfigError(error)}\n`);
  process.exitCode = 1;
}
