import { DYNAMODB_RESOURCE_TYPES } from '@forte/protocol';
import type { Cloud } from '../server.js';

/** Creates table `Notes` (string `hashKey` + string `id` range key, on demand) through the resource handler a push uses. */
export async function createNotesTable(cloud: Cloud, hashKey: string): Promise<void> {
  await cloud.kernel.resourceHandler(DYNAMODB_RESOURCE_TYPES.table)!.create(
    {
      TableName: 'Notes',
      KeySchema: [
        { AttributeName: hashKey, KeyType: 'HASH' },
        { AttributeName: 'id', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: hashKey, AttributeType: 'S' },
        { AttributeName: 'id', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    },
    {
      appId: 'app1',
      appSlug: 'app1',
      envName: 'dev',
      stackName: 's',
      logicalId: 'Notes',
      region: 'us-east-1',
      accountId: cloud.kernel.config.accountId,
      log: cloud.kernel.log,
    },
  );
}
