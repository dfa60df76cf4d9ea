import { Aws, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  JsonSchemaType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type Model,
  RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { AccountPrincipal, AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { accountsOf, parsePrincipalPatterns } from '../../lambda/core/principals';
import { InvalidConfigError } from './config';

export interface ApprovalApiProps {
  readonly handler: IFunction;
  readonly logRetention: RetentionDays;
  /** Approver and viewer patterns (validated config): their accounts may call the API, no other. */
  readonly principals: { readonly approvers: readonly string[]; readonly viewers: readonly string[] };
}

/** The accounts whose principals may reach the API at all: the deployment's and the named ones. */
export function callerAccountsOf(principals: ApprovalApiProps['principals']): string[] {
  const parsed = parsePrincipalPatterns([...principals.approvers, ...principals.viewers]);
  // The config was validated at synth; a bad pattern here is a programming error, not a user one.
  if (!parsed.ok)
    throw new InvalidConfigError(`invalid approver/viewer patterns: ${parsed.error.join('; ')}`);
  return accountsOf(parsed.value);
}

/**
 * Only principals of these accounts get past API Gateway; the function then checks the exact
 * approver / viewer patterns. The Deny holds even if an identity policy elsewhere is too broad.
 */
function resourcePolicy(accounts: readonly string[]): PolicyDocument {
  const all = [Aws.ACCOUNT_ID, ...accounts];
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'NamedAccountsOnly',
        effect: Effect.ALLOW,
        principals: all.map((account) => new AccountPrincipal(account)),
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
      }),
      new PolicyStatement({
        sid: 'DenyOtherAccounts',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { StringNotEquals: { 'aws:PrincipalAccount': all } },
      }),
    ],
  });
}

// Errors keep the API's `{error, message}` shape (DESIGN §8) even when API Gateway answers itself.
const ERROR_TEMPLATE = '{"error":"$context.error.responseType","message":$context.error.messageString}';

// Who called what: the SigV4 principal ARN is the approver identity, so it belongs in the access log.
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    time: AccessLogField.contextRequestTime(),
    principal: AccessLogField.contextIdentityUserArn(),
    sourceIp: AccessLogField.contextIdentitySourceIp(),
    method: AccessLogField.contextHttpMethod(),
    path: AccessLogField.contextPath(),
    status: AccessLogField.contextStatus(),
    error: AccessLogField.contextErrorResponseType(),
    latencyMs: AccessLogField.contextResponseLatency(),
  }),
);

/**
 * The approval API (DESIGN §8). Every method uses AWS_IAM: the caller's SigV4 identity is the approver,
 * so no token or body field can claim to be someone else. Bodies are validated before any Lambda runs.
 */
export class ApprovalApi extends Construct {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, props: ApprovalApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    const accounts = callerAccountsOf(props.principals);
    this.api = new RestApi(this, 'Api', {
      restApiName: 'sg-revoke-approvals',
      description: 'sg-revoke approvals: list, approve and reject planned revokes',
      endpointTypes: [EndpointType.REGIONAL],
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      policy: resourcePolicy(accounts),
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        // Errors only, and never request/response bodies: they carry incident ids and approvers.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        // A handful of approvers: anything faster is a script gone wrong, or worse.
        throttlingRateLimit: 5,
        throttlingBurstLimit: 10,
      },
    });
    // API Gateway applies a changed resource policy only on a new deployment.
    this.api.latestDeployment?.addToLogicalId({ callerAccounts: accounts });
    for (const type of [ResponseType.DEFAULT_4XX, ResponseType.DEFAULT_5XX]) {
      this.api.addGatewayResponse(type.responseType, {
        type,
        templates: { 'application/json': ERROR_TEMPLATE },
      });
    }

    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const integration = new LambdaIntegration(props.handler, { proxy: true, allowTestInvoke: false });
    const withId = { requestValidator: validator, requestParameters: { 'method.request.path.id': true } };
    const withBody = (name: string, fields: string[]) => ({
      ...withId,
      requestModels: { 'application/json': this.bodyModel(name, fields) },
    });

    const actions = this.api.root.addResource('actions');
    actions.addMethod('GET', integration, {
      requestValidator: validator,
      requestParameters: { 'method.request.querystring.status': false },
    });
    const action = actions.addResource('{id}');
    action.addMethod('GET', integration, withId);
    action
      .addResource('approve')
      .addMethod('POST', integration, withBody('Approve', ['incidentId', 'planHash']));
    action.addResource('reject').addMethod('POST', integration, withBody('Reject', ['reason']));
    action
      .addResource('rollback')
      .addMethod('POST', integration, withBody('Rollback', ['incidentId', 'reason']));

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Approvers authenticate with AWS_IAM (SigV4); their IAM principal ARN is the approver identity (DESIGN §8).',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'IAM-only API for a few approvers, throttled at the stage; unsigned requests are refused before any integration runs.',
      },
    );
  }

  /** A JSON body whose listed fields are required non-empty strings. */
  private bodyModel(name: string, fields: string[]): Model {
    return this.api.addModel(`${name}Body`, {
      contentType: 'application/json',
      modelName: `${name}Body`,
      schema: {
        type: JsonSchemaType.OBJECT,
        required: fields,
        properties: Object.fromEntries(
          fields.map((field) => [field, { type: JsonSchemaType.STRING, minLength: 1 }]),
        ),
      },
    });
  }
}
