import { parseArgs } from 'node:util';
import type { StackLookup } from '../adapters/cloudformation-stack-outputs';
import { stackOutputs } from '../adapters/factories';
import { messageWithCauses } from '../core/errors';
import { ENV_FORMATS, type EnvFormat, envFromOutputs, formatEnv } from '../core/stack-outputs';
import { checkAwsSetup } from './aws-setup';
import type { CliIo } from './plan-command';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, usageError } from './usage-error';

export const ENV_USAGE = 'env --stack NAME [--region R] [--format shell|dotenv|json]';

/** Each failure of `env` is one line on stderr: what went wrong and what to do. */
function fail(io: CliIo, code: number, message: string): number {
  io.stderr.write(`sg-revoke: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return code;
}

/**
 * `sg-revoke env --stack NAME`: the CLI's variables from the deployed stack's outputs, printed for
 * `eval "$(sg-revoke env --stack NAME)"` (or as a .env file, or JSON). Nothing is printed unless
 * every variable could be filled: a half-set shell would send an approver to the wrong table.
 */
export async function runEnv(argv: readonly string[], io: CliIo): Promise<number> {
  let options: { stack: string; region: string | undefined; format: EnvFormat };
  try {
    options = parse(argv);
  } catch (error) {
    return usageError(io.stderr, `${messageWithCauses(error)} (usage: sg-revoke ${ENV_USAGE})`);
  }
  const setup = await checkAwsSetup('env', options.region === undefined);
  if (!setup.ok) return fail(io, EXIT_USAGE, setup.error);

  let stack: StackLookup;
  try {
    stack = await stackOutputs(options.region).lookup(options.stack);
  } catch (error) {
    return fail(io, EXIT_FAILURE, `env: ${messageWithCauses(error)}`);
  }
  const where = options.region ? ` in ${options.region}` : '';
  if (stack.kind === 'not-found') {
    return fail(
      io,
      EXIT_FAILURE,
      `env: stack ${options.stack} not found${where} (check --stack and --region)`,
    );
  }
  const variables = envFromOutputs(stack.outputs);
  if (!variables.ok) {
    return fail(
      io,
      EXIT_FAILURE,
      `env: stack ${options.stack}${where} (${stack.status}) has no output ${variables.error.join(', ')}: ` +
        'deployed by an older sg-revoke, or not finished; deploy this version (cdk deploy) and retry',
    );
  }
  io.stdout.write(formatEnv(variables.value, options.format));
  return EXIT_OK;
}

function parse(argv: readonly string[]): { stack: string; region: string | undefined; format: EnvFormat } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      stack: { type: 'string' },
      region: { type: 'string' },
      format: { type: 'string', default: 'shell' },
    },
  });
  if (positionals.length > 0) throw new Error(`unexpected argument \`${positionals[0]}\``);
  const stack = values.stack?.trim() ?? '';
  if (stack === '')
    throw new Error('--stack NAME is required (the CloudFormation stack, e.g. SgRevokeStack)');
  const format = values.format as EnvFormat;
  if (!ENV_FORMATS.includes(format)) throw new Error(`--format must be one of ${ENV_FORMATS.join(', ')}`);
  const region = values.region?.trim() || undefined;
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
    throw new Error(`--region \`${region}\` is not an AWS region (e.g. us-east-1)`);
  return { stack, region, format };
}
