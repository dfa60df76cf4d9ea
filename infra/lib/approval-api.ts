import { Validations } from 'aws-cdk-lib';
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
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface ApprovalApiProps {
  readonly handler: IFunction;
  readonly logRetention: RetentionDays;
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
    this.api = new RestApi(this, 'Api', {
      restApiName: 'sg-revoke-approvals',
      description: 'sg-revoke approvals: list, approve and reject planned revokes',
      endpointTypes: [EndpointType.REGIONAL],
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
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
