import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SqlStore } from '../../engines/types.js';
import type { FunctionInvoker } from '../../kernel/capabilities.js';
import type { Principal } from '../../kernel/types.js';
import { targetsOf, unvalidatedDestination, type NotificationConfiguration } from './notification-configuration.js';
import { s3EventRecord } from './s3-event.js';

/**
 * The notification tables (their own migration namespace, `s3-notifications`): each bucket's configuration, and
 * the outbox of events written in the transaction of the change they describe, deleted once handed to Lambda.
 */
export const NOTIFICATION_MIGRATIONS: readonly string[] = [
  `CREATE TABLE s3_bucket_notifications (
    bucket TEXT PRIMARY KEY,
    configuration TEXT NOT NULL
  );
  CREATE TABLE s3_notification_outbox (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    function_arn TEXT NOT NULL,
    record TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );`,
  // Instances sharing the database claim events before they hand them over (notification-dispatcher.ts).
  `ALTER TABLE s3_notification_outbox ADD COLUMN claimed_by TEXT;
  ALTER TABLE s3_notification_outbox ADD COLUMN claimed_until INTEGER;`,
];

/** The request that made a change (an S3 call), as the event names it. */
export interface ChangeRequest {
  principal: Principal;
  ctx: { req: IncomingMessage; requestId: string };
}

/** One committed change of an object: the event S3 sends for it. */
export interface ObjectChange {
  bucket: string;
  key: string;
  /** `ObjectCreated:Put`, `ObjectCreated:Copy`, `ObjectCreated:CompleteMultipartUpload`, `ObjectRemoved:Delete`. */
  eventName: string;
  /** The object's size and quoted ETag (created objects). */
  object?: { size: number; etag: string };
}

/** `userIdentity.principalId`: the caller's access key (S3 names the IAM user or role session). */
function principalIdOf(principal: Principal): string {
  if (principal.kind === 'anonymous') return 'Anonymous';
  return `AWS:${principal.accessKeyId}`;
}

/**
 * Bucket notifications: configurations (validated against Lambda as S3 validates them) and `record`, which the
 * write paths call inside the transaction that commits a change, so an event exists exactly when its change
 * committed. `onRecorded` wakes the dispatcher once such a transaction has ended (a read outside it sees the
 * events only after the commit, and on PostgreSQL it does not wait for it): the write paths run their
 * transactions on `afterCommit(sql)`.
 */
export function createBucketNotifications(options: {
  sql: SqlStore;
  region: string;
  accountId: string;
  functions: () => FunctionInvoker | undefined;
  onRecorded: () => void;
  /** The request's client (`kernel.clientAddress`): the event's `sourceIPAddress`. */
  clientAddress: (req: IncomingMessage) => string;
}) {
  const { sql } = options;
  // The transactions (as `record` was given them) that recorded events, for `afterCommit` to wake the dispatcher.
  const recordedIn = new WeakSet<SqlStore>();

  /** Throws S3's InvalidArgument for the first destination that does not exist or does not let S3 invoke it. */
  async function checkDestinations(bucket: string, config: NotificationConfiguration): Promise<void> {
    const functions = options.functions();
    for (const target of config.lambda) {
      if (!functions || !(await functions.exists(target.functionArn)))
        throw unvalidatedDestination(target.functionArn, 'The destination function does not exist.');
      const allowed = await functions.permits(target.functionArn, {
        principal: 's3.amazonaws.com',
        sourceArn: `arn:aws:s3:::${bucket}`,
        sourceAccount: options.accountId,
      });
      if (!allowed) throw unvalidatedDestination(target.functionArn, `Not authorized to invoke function [${target.functionArn}].`);
    }
  }

  return {
    async configuration(bucket: string): Promise<NotificationConfiguration> {
      const row = await sql.get<{ configuration: string }>('SELECT configuration FROM s3_bucket_notifications WHERE bucket = ?', [bucket]);
      return row ? (JSON.parse(row.configuration) as NotificationConfiguration) : { lambda: [] };
    },
    /** Replaces the bucket's configuration (an empty one removes it) once every destination checks out. */
    async configure(bucket: string, config: NotificationConfiguration): Promise<void> {
      await checkDestinations(bucket, config);
      if (config.lambda.length === 0) return void (await sql.run('DELETE FROM s3_bucket_notifications WHERE bucket = ?', [bucket]));
      await sql.run(
        'INSERT INTO s3_bucket_notifications (bucket, configuration) VALUES (?, ?) ON CONFLICT (bucket) DO UPDATE SET configuration = excluded.configuration',
        [bucket, JSON.stringify(config)],
      );
    },
    /** Drops a deleted bucket's configuration (events already recorded are still delivered). */
    async remove(bucket: string): Promise<void> {
      await sql.run('DELETE FROM s3_bucket_notifications WHERE bucket = ?', [bucket]);
    },
    /** Writes the change's event for each matching destination, in the transaction `tx` that commits the change. */
    async record(tx: SqlStore, request: ChangeRequest, change: ObjectChange): Promise<void> {
      const row = await tx.get<{ configuration: string }>('SELECT configuration FROM s3_bucket_notifications WHERE bucket = ?', [change.bucket]);
      if (!row) return;
      const targets = targetsOf(JSON.parse(row.configuration) as NotificationConfiguration, change.eventName, change.key);
      const now = Date.now();
      for (const target of targets) {
        const record = s3EventRecord({
          region: options.region,
          eventTime: new Date(now).toISOString(),
          eventName: change.eventName,
          principalId: principalIdOf(request.principal),
          sourceIPAddress: options.clientAddress(request.ctx.req),
          requestId: request.ctx.requestId,
          hostId: randomBytes(48).toString('base64'),
          configurationId: target.id,
          bucket: change.bucket,
          ownerId: options.accountId,
          key: change.key,
          ...(change.object ? { size: change.object.size, eTag: change.object.etag.replaceAll('"', '') } : {}),
        });
        await tx.run('INSERT INTO s3_notification_outbox (bucket, key, function_arn, record, created_at) VALUES (?, ?, ?, ?, ?)', [
          change.bucket,
          change.key,
          target.functionArn,
          JSON.stringify(record),
          now,
        ]);
      }
      if (targets.length > 0) recordedIn.add(tx);
    },
    /** `on`, whose transactions call `onRecorded` once they have ended when `record` wrote events in them. */
    afterCommit(on: SqlStore): SqlStore {
      return {
        ...on,
        transaction: async <T>(fn: (tx: SqlStore) => Promise<T>): Promise<T> => {
          let last: SqlStore | undefined; // the attempt that ended it (PostgreSQL runs a transaction again on a conflict)
          try {
            return await on.transaction((tx) => {
              last = tx;
              return fn(tx);
            });
          } finally {
            if (last !== undefined && recordedIn.has(last)) options.onRecorded();
          }
        },
      };
    },
  };
}

export type BucketNotifications = ReturnType<typeof createBucketNotifications>;
