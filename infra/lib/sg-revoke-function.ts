import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { AssetHashType, DockerImage, Duration, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUNDLE_FILE } from './bundling';

const REPO_ROOT = path.join(__dirname, '..', '..');

/**
 * The handler's ESM bundle, built locally by esbuild with the shared options of bundling.ts (no
 * Docker). The asset is hashed on the bundle itself, so only a changed bundle is redeployed.
 */
function handlerCode(entry: string): Code {
  return Code.fromAsset(path.join(REPO_ROOT, 'lambda'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling below always builds or throws.
      image: DockerImage.fromRegistry('node:24-alpine'),
      // Part of CDK's asset cache key: without it the four functions share the first bundle.
      environment: { SG_REVOKE_HANDLER_ENTRY: entry },
      local: {
        tryBundle(outputDir: string): boolean {
          const script = path.join(REPO_ROOT, 'infra', 'lib', 'bundle-handler.ts');
          const run = spawnSync(
            process.execPath,
            ['--import', 'tsx', script, path.join(REPO_ROOT, entry), outputDir],
            {
              cwd: REPO_ROOT,
              encoding: 'utf8',
            },
          );
          if (run.status !== 0)
            throw new Error(`bundling ${entry} failed: ${run.stderr || run.error?.message}`);
          return true;
        },
      },
    },
  });
}

export interface SgRevokeFunctionProps {
  /** Handler file relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Only the variables this function reads (DESIGN §9). */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly reservedConcurrentExecutions?: number;
  /** A fixed role name, for roles that other accounts trust by ARN (organization mode). */
  readonly roleName?: string;
  /** For asynchronously invoked functions: where an event lands once Lambda's own retries are spent. */
  readonly asyncFailureQueue?: IQueue;
}

/**
 * One sg-revoke Lambda with the project defaults (STYLE §11): Node 24 on arm64, ESM bundle with the
 * SDK inside, X-Ray active, its own log group with retention, and its own role that starts empty so
 * every permission it ends up with is one the stack wrote on purpose.
 */
export class SgRevokeFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SgRevokeFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    // No AWSLambdaBasicExecutionRole: it would allow writing to every log group in the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      roleName: props.roleName,
      description: `sg-revoke ${id}: ${props.description}`,
    });
    this.allow('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], [this.logGroup.logGroupArn]);

    this.fn = new LambdaFunction(this, 'Fn', {
      code: handlerCode(props.entry),
      handler: `${path.basename(BUNDLE_FILE, '.mjs')}.handler`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      timeout: props.timeout,
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: { POWERTOOLS_SERVICE_NAME: 'sg-revoke', ...props.environment },
      ...(props.asyncFailureQueue && {
        onFailure: new SqsDestination(props.asyncFailureQueue),
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      }),
    });
    this.acknowledgeUnscoped(
      ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      'added by active tracing; X-Ray offers no resource-level scope for them',
    );
  }

  /** An Allow statement scoped to the given resources, on this function's role only. */
  allow(sid: string, actions: string[], resources: string[]): void {
    this.role.addToPrincipalPolicy(new PolicyStatement({ sid, effect: Effect.ALLOW, actions, resources }));
  }

  /** An Allow on `*` for actions AWS gives no resource scope; acknowledged in cdk-nag with that reason. */
  allowUnscoped(sid: string, actions: string[], reason: string): void {
    this.allow(sid, actions, ['*']);
    this.acknowledgeUnscoped(actions, reason);
  }

  /** Records why `Resource: *` is in this role's policy (a statement a construct added for us). */
  acknowledgeUnscoped(actions: string[], reason: string): void {
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${actions.join(', ')}: ${reason}`,
    });
  }
}
