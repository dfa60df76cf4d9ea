import { join } from 'node:path';
import { messageOf } from '../core/errors';
import { runCli } from './run';
import { EXIT_FAILURE } from './usage-error';

// A reader that closed the pipe early (`| head`) is not an error of this run.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  nowMs: Date.now,
  // Worker threads run their own small bundle, built beside this one (dist/plan-worker.cjs).
  workerScript: __filename.endsWith('.cjs') ? join(__dirname, 'plan-worker.cjs') : null,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sg-revoke: unexpected error: ${messageOf(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
