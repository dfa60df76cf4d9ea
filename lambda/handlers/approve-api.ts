import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { actionStore, approvalSigner, eventBridgePublisher, evidenceStore } from '../adapters/factories';
import { loadConfig } from '../config/config';
import { messageOf } from '../core/errors';
import { principalMatches } from '../core/principals';
import { type ApiDeps, json, route } from './api-routes';
import { logger, systemClock } from './runtime';

const KEYS = [
  'actionsTable',
  'auditTable',
  'auditBucket',
  'kmsKeyArn',
  'eventBus',
  'approvalKeyArn',
] as const;
const PRINCIPALS = ['approverPrincipals', 'viewerPrincipals', 'approvalTtlHours'] as const;
const config = loadConfig(process.env, [...KEYS, ...PRINCIPALS], { nonEmpty: ['approverPrincipals'] });
const actions = actionStore(config);
const deps: ApiDeps = {
  actions,
  isViewer: (arn) => principalMatches(arn, config.viewerPrincipals),
  approvals: {
    actions,
    evidence: evidenceStore(config),
    events: eventBridgePublisher(config.eventBus),
    signer: approvalSigner(config.approvalKeyArn),
    clock: systemClock,
    mode: 'lambda',
    isApprover: (arn) => principalMatches(arn, config.approverPrincipals),
    warn: (message, error) => logger.error(message, { error: messageOf(error) }),
  },
};

/** API Gateway (AWS_IAM) → the four approval routes of DESIGN §8, JSON errors, nothing changed on error. */
export const handler = async (
  event: APIGatewayProxyEvent,
  context: Context,
): Promise<APIGatewayProxyResult> => {
  logger.addContext(context);
  logger.appendKeys({ action_id: event.pathParameters?.id, caller: event.requestContext?.identity?.userArn });
  try {
    const response = await route(deps, event);
    logger.info('api request', {
      route: `${event.httpMethod} ${event.resource}`,
      status: response.statusCode,
    });
    return response;
  } catch (error) {
    logger.error('api request failed', { error: messageOf(error) });
    return json(500, {
      error: 'internal',
      message: 'the request failed; GET the action to see its current state',
    });
  } finally {
    logger.removeKeys(['action_id', 'caller']);
  }
};
