/**
 * The table resource type (the cloud's handler and the templates that declare tables share these).
 * Properties are CloudFormation's `AWS::DynamoDB::Table`, subset.
 */
export const DYNAMODB_RESOURCE_TYPES = {
  table: 'Forte::DynamoDB::Table',
  /** AWS's name, which the storage category's NoSQL tables use (Amplify's template): the same handler and store. */
  awsTable: 'AWS::DynamoDB::Table',
} as const;

/** The path of the DynamoDB JSON API on a Forte Cloud (`endpoint: <cloud url>/dynamodb`). */
export const DYNAMODB_API_PATH = '/dynamodb/';

export interface DynamoDbKeySchemaElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}

export interface DynamoDbGlobalSecondaryIndex {
  IndexName: string;
  KeySchema: DynamoDbKeySchemaElement[];
  Projection: { ProjectionType?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
}

/**
 * `Forte::DynamoDB::Table` → physical id and attribute `TableName`, and `Arn`, `StreamArn` (when a stream
 * is specified). `TableName` is the physical name, per environment (templates add the env name); changing
 * it replaces the table; a new `KeySchema` moves every item to its new key in place (or the update fails,
 * changing nothing). GSIs are added (backfilled at once) and removed in place.
 */
export interface DynamoDbTableProperties {
  TableName: string;
  KeySchema: DynamoDbKeySchemaElement[];
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  GlobalSecondaryIndexes?: DynamoDbGlobalSecondaryIndex[];
  /** Default PAY_PER_REQUEST when no ProvisionedThroughput is given. */
  BillingMode?: 'PROVISIONED' | 'PAY_PER_REQUEST';
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  /** Stored and described (StreamArn); Forte does not produce stream records yet. */
  StreamSpecification?: { StreamViewType: 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY' };
  /** Stored and described; items are not expired yet. */
  TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
  /**
   * Forte's own: key attributes that join others with `#` (a GraphQL composite sort key `a#b`), computed for
   * the items that lack them when the key changes or a new index uses them.
   */
  CompositeKeyAttributes?: { AttributeName: string; SourceAttributes: string[] }[];
}
