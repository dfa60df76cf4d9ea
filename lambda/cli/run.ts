import { runActions } from './actions-command';
import { runApply } from './apply-command';
import { parseCommand } from './args';
import { HELP } from './help';
import { runLivePlan } from './live-plan-command';
import { type CliIo, runPlan } from './plan-command';
import { readPlanOptions } from './plan-config';
import { runReverify } from './reverify-command';
import { EXIT_OK, usageError } from './usage-error';

/** The whole CLI as a function of its arguments and streams: returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const command = parseCommand(argv);
  switch (command.kind) {
    case 'help':
      io.stdout.write(HELP);
      return EXIT_OK;
    case 'usage-error':
      return usageError(io.stderr, command.message);
    case 'apply':
      return runApply(command.files, io);
    case 'reverify':
      return runReverify(command.files, io);
    case 'actions':
      return runActions(command.argv, io);
    case 'plan': {
      if (command.live) return runLivePlan(command.files, io);
      const options = readPlanOptions(io.env);
      if (!options.ok) return usageError(io.stderr, options.error);
      return runPlan(command.files, options.value, io);
    }
  }
}
