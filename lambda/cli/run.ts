import { parseCommand } from './args';
import { helpText } from './help';
import { type CliIo, runPlan } from './plan-command';
import { readPlanOptions } from './plan-config';
import { EXIT_OK, usageError } from './usage-error';

// The AWS-side modes load the SDK only when asked for: the offline dry-run starts without it
// (about 70 MB less memory and a faster start for `plan`).
const aws = {
  apply: (): typeof import('./apply-command') => require('./apply-command'),
  reverify: (): typeof import('./reverify-command') => require('./reverify-command'),
  actions: (): typeof import('./actions-command') => require('./actions-command'),
  audit: (): typeof import('./audit-command') => require('./audit-command'),
  env: (): typeof import('./env-command') => require('./env-command'),
  livePlan: (): typeof import('./live-plan-command') => require('./live-plan-command'),
  pause: (): typeof import('./pause-command') => require('./pause-command'),
};

/** The whole CLI as a function of its arguments and streams: returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const command = parseCommand(argv);
  switch (command.kind) {
    case 'help':
      io.stdout.write(helpText(command.mode));
      return EXIT_OK;
    case 'usage-error':
      return usageError(io.stderr, command.message);
    case 'apply':
      return aws.apply().runApply(command, io);
    case 'reverify':
      return aws.reverify().runReverify(command, io);
    case 'actions':
      return aws.actions().runActions(command.argv, io);
    case 'audit':
      return aws.audit().runAudit(command.argv, io);
    case 'env':
      return aws.env().runEnv(command.argv, io);
    case 'pause':
    case 'resume':
      return aws.pause().runPause(command.kind, command.argv, io);
    case 'plan': {
      if (command.live) return aws.livePlan().runLivePlan(command, io);
      const options = readPlanOptions(io.env);
      if (!options.ok) return usageError(io.stderr, options.error);
      return runPlan(command.files, { ...options.value, failOn: command.failOn }, io);
    }
  }
}
