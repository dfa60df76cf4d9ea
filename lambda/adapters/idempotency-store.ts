import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { dynamoDbClient } from './clients';

/**
 * Powertools idempotency on DynamoDB: the second guard after the conditional claim. A record of
 * the same action and approval (a retried batch, a duplicate stream delivery) returns the stored
 * result instead of running again.
 */
export function idempotencyFor(tableName: string): {
  persistenceStore: DynamoDBPersistenceLayer;
  config: IdempotencyConfig;
} {
  return {
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName,
      awsSdkV3Client: dynamoDbClient(),
    }),
    // A day covers every stream retry window (24 h record retention).
    config: new IdempotencyConfig({ expiresAfterSeconds: 86_400, throwOnNoIdempotencyKey: true }),
  };
}
