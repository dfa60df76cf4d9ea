import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HANDLER_BUNDLE } from './bundling';

const REPO_ROOT = path.join(__dirname, '..', '..');

const BUNDLING: BundlingOptions = {
  target: HANDLER_BUNDLE.target,
  format: OutputFormat.ESM,
  bundleAwsSDK: HANDLER_BUNDLE.bundleAwsSdk,
  mainFields: [...HANDLER_BUNDLE.mainFields],
  banner: HANDLER_BUNDLE.banner,
  minify: HANDLER_BUNDLE.minify,
  sourceMap: HANDLER_BUNDLE.sourcemap,
};

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
  /** For asynchronously invoked functions: where an event lands once Lambda's own retries are spent. */
  readonly asyncFailureQueue?: IQueue;
}

/**
 * One sg-revoke Lambda with the project defaults (STYLE §11): Node 24 on arm64, ESM bundle with the
 * SDK inside, X-Ray active, its own log group with retention, and its own role that starts empty so
 * every permission it ends up with is one the stack wrote on purpose.
 */
export class SgRevokeFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SgRevokeFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    // No AWSLambdaBasicExecutionRole: it would allow writing to every log group in the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `sg-revoke ${id}: ${props.description}`,
    });
    this.allow('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], [this.logGroup.logGroupArn]);

    this.fn = new NodejsFunction(this, 'Fn', {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
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
      bundling: BUNDLING,
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
