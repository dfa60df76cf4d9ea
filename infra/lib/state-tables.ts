import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
  type TableProps,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { BY_STATUS_INDEX } from '../../lambda/core/constants';
import { WATCH_INDEX, WATCH_KEY, WATCH_PROJECTION, WATCH_SINCE } from '../../lambda/core/watch-index';

/** GSI of the actions table: list by status, oldest first (the API list and the reverify sweep). */
export { BY_STATUS_INDEX };

/**
 * The action state machine's table (DESIGN §2) and the idempotency table of the apply function.
 * Both are encrypted with the stack key and recoverable to any point in the last 35 days.
 */
export class StateTables extends Construct {
  readonly actions: Table;
  readonly idempotency: Table;

  constructor(scope: Construct, id: string, props: { readonly key: IKey }) {
    super(scope, id);
    const common: Omit<TableProps, 'partitionKey'> = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    };

    this.actions = new Table(this, 'Actions', {
      ...common,
      partitionKey: { name: 'action_id', type: AttributeType.STRING },
      // The apply function is driven by this stream (status became APPROVED), so it needs both images.
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: 'expires_at_epoch',
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.actions.addGlobalSecondaryIndex({
      indexName: BY_STATUS_INDEX,
      partitionKey: { name: 'status', type: AttributeType.STRING },
      sortKey: { name: 'created_at', type: AttributeType.STRING },
    });
    // Sparse: only revoked actions carry its keys. Reverify reads it, never the table or by-status.
    this.actions.addGlobalSecondaryIndex({
      indexName: WATCH_INDEX,
      partitionKey: { name: WATCH_KEY, type: AttributeType.STRING },
      sortKey: { name: WATCH_SINCE, type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...WATCH_PROJECTION],
    });

    // Powertools idempotency default schema: key `id`, TTL `expiration`. Losing it only loses dedup
    // records, never evidence, so it may be destroyed with the stack.
    this.idempotency = new Table(this, 'Idempotency', {
      ...common,
      partitionKey: { name: 'id', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
