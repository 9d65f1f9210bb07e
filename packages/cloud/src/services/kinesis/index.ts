import { createCacheInvalidation } from '../../kernel/cache-invalidation.js';
import { KINESIS_STREAMS } from '../../kernel/capabilities.js';
import { provide } from '../../kernel/capability.js';
import { jsonApiRoute } from '../../kernel/json-api.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { createKinesisOperations } from './api-operations.js';
import { KINESIS_ERRORS } from './kinesis-errors.js';
import { KINESIS_MIGRATIONS } from './migrations.js';
import { createStreamResourceHandler } from './stream-resource.js';
import { createKinesisStreamReader } from './stream-reader.js';
import { createStreamStore } from './stream-store.js';

/** The API's path; SDK clients given only the cloud's base URL reach it at `/` too (the kernel dispatches by target). */
export const KINESIS_API_PATH = '/kinesis/';
/** Where @forte/amplify sends aws-amplify's Kinesis calls, signed for `kinesis.<region>.amazonaws.com`: `/kinesis-aws/<that host>/`. */
export const KINESIS_AWS_PREFIX = '/kinesis-aws/';

/**
 * Kinesis Data Streams: `AWS::Kinesis::Stream` (Amplify's analytics category, service Kinesis) and the data
 * API `POST /kinesis/` (AWS JSON 1.1, `Kinesis_20131202.*`, SigV4 service `kinesis`, every call authorized as
 * `kinesis:<Operation>` on the stream's ARN): PutRecord(s) as aws-amplify's `record` sends them, and the
 * reads a consumer makes (ListShards, GetShardIterator, GetRecords); and the streams' records for Lambda's event
 * source mappings (`KINESIS_STREAMS`), whose pollers an append wakes on every instance.
 */
export function createKinesisService(kernel: Kernel): Service {
  const store = createStreamStore(kernel.sql);
  const { region, accountId } = kernel.config;
  const now = (): number => Date.now();
  const streams = createKinesisStreamReader({ store, region, accountId, now });
  // An append wakes the streams' pollers on every instance: the one holding a mapping's lease may not be the one
  // that wrote. Wake-ups lost while the bus was away are made good by the pollers' idle reads (within a second).
  const recordsAdded = createCacheInvalidation<{ streamArns: string[] }>(kernel, 'kinesis-stream-records', {
    isChange: (value): value is { streamArns: string[] } =>
      Array.isArray((value as { streamArns?: unknown } | null)?.streamArns) &&
      (value as { streamArns: unknown[] }).streamArns.every((a) => typeof a === 'string'),
    onChange: ({ streamArns }) => streams.notify(streamArns),
    onLost: () => undefined,
  });
  const appended = (streamArn: string): void => {
    streams.notify([streamArn]);
    recordsAdded.changed({ streamArns: [streamArn] });
  };
  return {
    name: 'kinesis',
    provides: [provide(KINESIS_STREAMS, streams.reader)],
    routes: [
      jsonApiRoute({
        name: 'kinesis',
        path: KINESIS_API_PATH,
        targetPrefix: 'Kinesis_20131202.',
        signingService: 'kinesis',
        actionPrefix: 'kinesis',
        operations: createKinesisOperations({ store, region, accountId, now, appended }),
        errors: KINESIS_ERRORS,
        validationErrorCode: 'ValidationException',
        awsHostPath: { prefix: KINESIS_AWS_PREFIX, hosts: /^kinesis\.[a-z0-9-]{1,30}\.amazonaws\.com(?:\.cn)?$/ },
      }),
    ],
    resourceTypes: { 'AWS::Kinesis::Stream': createStreamResourceHandler({ store, region, accountId, now }) },
    async start() {
      await kernel.sql.migrate('kinesis', KINESIS_MIGRATIONS);
      await recordsAdded.start();
    },
    async stop() {
      recordsAdded.stop();
    },
  };
}
