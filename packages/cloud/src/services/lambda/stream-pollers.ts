import type { ForteError } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import { KINESIS_STREAM_ARN, type StreamReader, type StreamRecordEntry } from '../../kernel/capabilities.js';
import { createClusterLeases, type ClusterLeases } from '../../kernel/cluster-leases.js';
import type { Logger } from '../../kernel/logger.js';
import type { FunctionInvokerService } from './function-invoker.js';
import { MAX_SYNC_PAYLOAD } from './function-invoker.js';
import { newLogStreamName } from './runtime/index.js';
import type { FunctionLogLine } from './runtime/types.js';

/** A DynamoDB stream's ARN. */
export const DYNAMODB_STREAM_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[a-zA-Z0-9_.-]+\/stream\/[^/]+$/;

/** Whether Forte delivers the records of this event source: a DynamoDB stream or a Kinesis data stream. */
export const isDeliveredStream = (arn: string): boolean => DYNAMODB_STREAM_ARN.test(arn) || KINESIS_STREAM_ARN.test(arn);

/**
 * One reader of both kinds of stream, each call going to the reader of the ARN's kind (undefined when the cloud
 * runs neither service; a stream whose service is not running reads as empty and missing).
 */
export function eventStreams(dynamodb: StreamReader | undefined, kinesis: StreamReader | undefined): StreamReader | undefined {
  if (!dynamodb && !kinesis) return undefined;
  const of = (arn: string): StreamReader | undefined => (KINESIS_STREAM_ARN.test(arn) ? kinesis : DYNAMODB_STREAM_ARN.test(arn) ? dynamodb : undefined);
  return {
    exists: async (arn) => (await of(arn)?.exists(arn)) ?? false,
    latestSequenceNumber: async (arn) => of(arn)?.latestSequenceNumber(arn),
    read: async (arn, after, limit) => (await of(arn)?.read(arn, after, limit)) ?? [],
    onRecords(listener) {
      const stops = [dynamodb?.onRecords(listener), kinesis?.onRecords(listener)];
      return () => stops.forEach((stop) => stop?.());
    },
  };
}
/** Lambda keeps reading after records it found none: this often when no commit wakes it. */
const IDLE_POLL_MS = 1000;
/** Waits after a throttled or not-yet-ready function. */
const THROTTLE_DELAY_MS = 500;
/** Retries of a failed batch back off from this, doubling, up to the cap. */
const RETRY_BASE_MS = 100;
const RETRY_CAP_MS = 30_000;
/** DynamoDB Streams keep records 24 hours: a record older than that has expired. */
const RECORD_LIFETIME_MS = 24 * 3600 * 1000;

/** An event source mapping's settings that matter for delivery (Lambda's defaults for DynamoDB streams filled in). */
export interface MappingSettings {
  uuid: string;
  functionName: string;
  eventSourceArn: string;
  batchSize: number;
  batchingWindowMs: number;
  enabled: boolean;
  /** -1: retried until the records expire. */
  maximumRetryAttempts: number;
  /** -1: until the records expire (24 hours). */
  maximumRecordAgeMs: number;
  bisectOnError: boolean;
}

/** The mapping's properties as stored (the resource's, validated at deploy). */
export function settingsOf(uuid: string, functionName: string, properties: Record<string, unknown>): MappingSettings {
  const number = (value: unknown, fallback: number): number => (value === undefined || value === null ? fallback : Number(value));
  const flag = (value: unknown, fallback: boolean): boolean => (value === undefined || value === null ? fallback : value === true || value === 'true');
  const age = number(properties.MaximumRecordAgeInSeconds, -1);
  return {
    uuid,
    functionName,
    eventSourceArn: String(properties.EventSourceArn ?? ''),
    batchSize: number(properties.BatchSize, 100),
    batchingWindowMs: number(properties.MaximumBatchingWindowInSeconds, 0) * 1000,
    enabled: flag(properties.Enabled, true),
    maximumRetryAttempts: number(properties.MaximumRetryAttempts, -1),
    maximumRecordAgeMs: age < 0 ? -1 : age * 1000,
    bisectOnError: flag(properties.BisectBatchOnFunctionError, false),
  };
}

interface MappingRow {
  uuid: string;
  function_name: string;
  properties: string;
  position: string | null;
}

/** A poller this instance runs, the mapping's properties it runs with, and until when it may deliver. */
interface RunningPoller {
  poller: Poller;
  properties: string;
  leaseUntil: number;
}

/** What one invocation of a batch gave. */
type Delivery = 'ok' | 'failed' | 'wait';

/**
 * Lambda's pollers for event source mappings of DynamoDB streams: one per enabled mapping, reading its
 * stream in order from the mapping's position (kept in SQL, moved only after a batch was handled, so a
 * restart or a kill resumes where it was and a batch is delivered at least once) and invoking the function
 * synchronously with Lambda's DynamoDB event `{Records: [...]}`. A commit to the stream wakes its pollers
 * (`STREAMS.onRecords`, which hears the commits of every instance), so a write reaches the function within
 * milliseconds.
 *
 * On a database other instances share, each mapping is polled by one instance at a time: the holder of its lease
 * (kernel/cluster-leases.ts), renewed by a heartbeat every third of `leaseMs`, which also takes over the mappings
 * whose holder stopped renewing. A poller delivers only within the lease it last renewed and moves the position
 * only while it still holds it, so records are delivered once in normal running and again only after a holder
 * died or stalled past its lease (at least once, as Lambda).
 *
 * A batch the function fails (an error, a timeout, a crash) is retried with backoff, halved first when
 * BisectBatchOnFunctionError is set, until MaximumRetryAttempts retries, MaximumRecordAgeInSeconds or the
 * records' 24 hours are over; it is then reported (the cloud's log and the function's log group, with the
 * sequence numbers) and the mapping goes on after it. DestinationConfig (OnFailure) is not supported.
 */
export function createStreamPollers(options: {
  sql: SqlStore;
  log: Logger;
  invoker: FunctionInvokerService;
  addFunctionLog: (line: FunctionLogLine) => void;
  streams: () => StreamReader | undefined;
  /** This instance's id, the owner of the leases it takes. */
  instance: string | undefined;
  /** Whether other instances share the database: then each mapping is polled by the holder of its lease. */
  shared: boolean;
  /** How long a mapping's lease lasts unrenewed (renewed every third of it). */
  leaseMs: number;
  now?: () => number;
}) {
  const { sql, log } = options;
  const now = options.now ?? Date.now;
  const pollers = new Map<string, RunningPoller>();
  let leases: ClusterLeases | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let started = false;

  function poller(settings: MappingSettings, reader: StreamReader, startAt: string | undefined, holdsLease: () => boolean): Poller {
    let position = startAt;
    let stopped = false;
    /** Set when the cloud stops (and stops the function): the batch under way is not recorded. */
    let abandoned = false;
    /** Another instance took the mapping over: the heartbeat retires this poller. */
    let lost = false;
    let wakeUp: (() => void) | undefined;
    let woken = false;
    let attempts = 0;
    /** Set while a failed batch is being bisected: the next batch takes at most this many records. */
    let bisectLimit: number | undefined;

    const wake = (): void => {
      woken = true;
      wakeUp?.();
    };
    /** Sleeps `ms`, or until a commit to the stream (or a stop) when `wakeable`. */
    const pause = (ms: number, wakeable: boolean): Promise<void> =>
      new Promise((resolve) => {
        if (stopped || (wakeable && woken)) return resolve();
        const timer = setTimeout(done, ms);
        function done(): void {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = wakeable ? done : () => (stopped ? done() : undefined);
      });

    /** Moves the mapping's position on, only while this instance still holds its lease. */
    async function save(sequenceNumber: string): Promise<void> {
      const held = leases!.held(leaseOf(settings.uuid));
      const { changes } = await sql.run(`UPDATE lambda_event_source_mappings SET position = ? WHERE uuid = ? AND ${held.condition}`, [
        sequenceNumber,
        settings.uuid,
        ...held.params,
      ]);
      if (changes === 1) position = sequenceNumber;
      else {
        lost = true;
        log.warn('event source mapping deleted or taken over by another instance: its last batch may be delivered again', { mapping: settings.uuid });
      }
    }

    /**
     * The records of one invocation: at most the batch size and what fits Lambda's 6 MB synchronous payload. A
     * Kinesis record names the role the function is invoked with (`invokeIdentityArn`), as Lambda's do.
     */
    function cut(entries: StreamRecordEntry[], role: string | undefined): { batch: StreamRecordEntry[]; payload: string } {
      const records: string[] = [];
      let bytes = '{"Records":[]}'.length;
      for (const entry of entries) {
        const record = role !== undefined && entry.record.eventSource === 'aws:kinesis' ? { ...entry.record, invokeIdentityArn: role } : entry.record;
        const text = JSON.stringify(record);
        if (records.length > 0 && bytes + text.length + 1 > MAX_SYNC_PAYLOAD) break;
        records.push(text);
        bytes += text.length + 1;
      }
      return { batch: entries.slice(0, records.length), payload: `{"Records":[${records.join(',')}]}` };
    }

    /** Invokes the function with the batch `entries` start (cut once its role is known): what it gave, and the batch. */
    async function invoke(entries: StreamRecordEntry[]): Promise<{ result: Delivery; error?: string; batch: StreamRecordEntry[] }> {
      let cutBatch: ReturnType<typeof cut> | undefined;
      try {
        const fn = await options.invoker.resolve(settings.functionName, undefined);
        cutBatch = cut(entries, fn.config.role);
        const { batch, payload } = cutBatch;
        const outcome = await options.invoker.invoke(fn, Buffer.from(payload), 'RequestResponse');
        if (outcome.functionError) return { result: 'failed', error: (outcome.payload ?? '').slice(0, 1000), batch };
        return { result: 'ok', batch };
      } catch (error) {
        const batch = (cutBatch ?? cut(entries, undefined)).batch;
        const code = (error as ForteError | undefined)?.code;
        if (code === 'TooManyRequestsException' || code === 'ResourceNotReadyException' || code === 'ResourceNotFoundException')
          return { result: 'wait', batch };
        return { result: 'failed', error: (error as Error).message, batch };
      }
    }

    function report(batch: StreamRecordEntry[], reason: string, error: string | undefined): void {
      const first = batch[0]!.sequenceNumber;
      const last = batch.at(-1)!.sequenceNumber;
      const details = {
        mapping: settings.uuid,
        function: settings.functionName,
        eventSourceArn: settings.eventSourceArn,
        first,
        last,
        records: batch.length,
        attempts,
      };
      log.warn(`stream batch skipped: ${reason}`, { ...details, ...(error ? { error } : {}) });
      options.addFunctionLog({
        functionName: settings.functionName,
        stream: newLogStreamName(new Date(now())),
        timestamp: now(),
        message: `Event source mapping ${settings.uuid} skipped ${batch.length} record(s) of ${settings.eventSourceArn} (sequence numbers ${first} to ${last}) after ${attempts} failed attempt(s): ${reason}.${error ? ` Last error: ${error}` : ''}\n`,
      });
    }

    async function step(): Promise<void> {
      woken = false;
      // Past the lease this instance last renewed, another one may deliver: nothing is sent until the heartbeat
      // renews it (or retires this poller).
      if (lost || !holdsLease()) return pause(IDLE_POLL_MS, false);
      const limit = bisectLimit ?? settings.batchSize;
      const entries = await reader.read(settings.eventSourceArn, position, limit);
      if (entries.length === 0) return pause(IDLE_POLL_MS, true);
      // MaximumBatchingWindowInSeconds: wait for a full batch until the oldest record has waited that long.
      const waited = now() - entries[0]!.createdAt;
      if (bisectLimit === undefined && entries.length < settings.batchSize && waited < settings.batchingWindowMs)
        return pause(settings.batchingWindowMs - waited, true);
      if (stopped) return; // no new batch once stopping
      const { result, error, batch } = await invoke(entries);
      if (abandoned) return; // the cloud is stopping (and stopped the function): the batch runs again at the next start
      if (result === 'wait') return pause(THROTTLE_DELAY_MS, false);
      if (result === 'ok') {
        attempts = 0;
        bisectLimit = undefined;
        return save(batch.at(-1)!.sequenceNumber);
      }
      if (settings.bisectOnError && batch.length > 1) {
        bisectLimit = Math.ceil(batch.length / 2);
        log.info('stream batch failed: bisecting', { mapping: settings.uuid, function: settings.functionName, records: batch.length });
        return;
      }
      attempts += 1;
      const age = now() - batch[0]!.createdAt;
      const expired = age >= RECORD_LIFETIME_MS || (settings.maximumRecordAgeMs >= 0 && age >= settings.maximumRecordAgeMs);
      const exhausted = settings.maximumRetryAttempts >= 0 && attempts > settings.maximumRetryAttempts;
      if (expired || exhausted) {
        report(batch, expired ? 'its records expired' : `MaximumRetryAttempts (${settings.maximumRetryAttempts}) reached`, error);
        attempts = 0;
        bisectLimit = undefined;
        return save(batch.at(-1)!.sequenceNumber);
      }
      const delay = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
      log.info('stream batch failed: retrying', { mapping: settings.uuid, function: settings.functionName, attempt: attempts, delayMs: delay });
      return pause(delay, false);
    }

    const running = (async () => {
      while (!stopped) {
        try {
          await step();
        } catch (error) {
          log.error('stream poller failed', { mapping: settings.uuid, error });
          await pause(IDLE_POLL_MS, false);
        }
      }
    })();

    return {
      settings,
      wake,
      ended: () => lost,
      async stop(abandon): Promise<void> {
        stopped = true;
        abandoned = abandon;
        wakeUp?.();
        await running;
      },
    };
  }

  /** Pollers' lease names (kernel/cluster-leases.ts): one per mapping, as a stream has one shard. */
  const leaseOf = (uuid: string): string => `lambda-event-source-mapping:${uuid}`;

  /** Stops a mapping's poller here: after the batch under way is recorded, unless the cloud is stopping. */
  async function retire(uuid: string, release: boolean): Promise<void> {
    const running = pollers.get(uuid);
    pollers.delete(uuid);
    await running?.poller.stop(!started);
    if (release && leases) await leases.release(leaseOf(uuid));
  }

  /**
   * Brings one mapping's poller in line with its row: runs it here while this instance holds (or now takes) its
   * lease and the mapping is enabled, restarts it with new settings, stops it otherwise.
   */
  async function sync(uuid: string, row: MappingRow | undefined): Promise<void> {
    const reader = options.streams();
    const settings = row && settingsOf(row.uuid, row.function_name, JSON.parse(row.properties) as Record<string, unknown>);
    if (!started || !leases || !reader || !settings?.enabled || !isDeliveredStream(settings.eventSourceArn)) return retire(uuid, pollers.has(uuid));
    const current = pollers.get(uuid);
    if (current && (current.properties !== row!.properties || current.poller.ended())) await retire(uuid, false);
    const at = now();
    if (!(await leases.claim(leaseOf(uuid)))) return retire(uuid, false);
    const running = pollers.get(uuid);
    if (running) return void (running.leaseUntil = at + leases.leaseMs);
    // Read after the claim: the previous holder may have moved the position until its lease lapsed.
    const position = await sql.get<{ position: string | null }>('SELECT position FROM lambda_event_source_mappings WHERE uuid = ?', [uuid]);
    const entry: RunningPoller = { properties: row!.properties, leaseUntil: at + leases.leaseMs, poller: undefined as never };
    entry.poller = poller(settings, reader, position?.position ?? undefined, () => now() < entry.leaseUntil);
    pollers.set(uuid, entry);
  }

  async function load(uuid: string): Promise<void> {
    const row = await sql.get<MappingRow>('SELECT uuid, function_name, properties, position FROM lambda_event_source_mappings WHERE uuid = ?', [uuid]);
    await sync(uuid, row);
  }

  /** Every mapping: takes over those whose lease lapsed, renews this instance's, drops the deleted ones. */
  async function syncAll(): Promise<void> {
    const rows = await sql.all<MappingRow>('SELECT uuid, function_name, properties, position FROM lambda_event_source_mappings');
    const uuids = new Set(rows.map((row) => row.uuid));
    for (const uuid of [...pollers.keys()]) if (!uuids.has(uuid)) await sync(uuid, undefined);
    for (const row of rows) await sync(row.uuid, row);
  }

  /** Changes to the pollers run one at a time (a refresh and the heartbeat never start a mapping twice). */
  let queue: Promise<void> = Promise.resolve();
  const serially = (task: () => Promise<void>): Promise<void> => {
    const next = queue.then(task);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    /**
     * A new mapping's starting point: LATEST starts after the stream's newest record now (so what is written
     * from now on is delivered, even before the poller runs), TRIM_HORIZON at the oldest record kept.
     */
    async created(uuid: string, startingPosition: string | undefined, eventSourceArn: string): Promise<void> {
      const reader = options.streams();
      if (startingPosition !== 'LATEST' || !reader) return;
      const latest = await reader.latestSequenceNumber(eventSourceArn);
      if (latest !== undefined) await sql.run('UPDATE lambda_event_source_mappings SET position = ? WHERE uuid = ?', [latest, uuid]);
    },
    /** Starts, restarts (new settings) or stops the poller of a mapping after it was written or deleted. */
    refresh: (uuid: string): Promise<void> => serially(() => load(uuid)),
    async start(): Promise<void> {
      started = true;
      leases = await createClusterLeases({ sql, instance: options.instance, leaseMs: options.leaseMs, shared: options.shared });
      unsubscribe = options.streams()?.onRecords((arn) => {
        for (const { poller: p } of pollers.values()) if (p.settings.eventSourceArn === arn) p.wake();
      });
      await serially(syncAll);
      // On a shared database the heartbeat renews this instance's leases well before they lapse, takes over
      // mappings whose holder stopped, and applies changes made through another instance.
      if (options.shared) {
        heartbeat = setInterval(
          () => void serially(syncAll).catch((error: unknown) => log.error('event source mapping leases failed', { error })),
          Math.max(50, Math.floor(options.leaseMs / 3)),
        );
        heartbeat.unref();
      }
    },
    /**
     * Stops every poller and gives up their leases (another instance takes them at once); an invocation under way
     * is not recorded, so its batch runs again.
     */
    async stop(): Promise<void> {
      started = false;
      if (heartbeat) clearInterval(heartbeat);
      unsubscribe?.();
      await serially(async () => {
        const uuids = [...pollers.keys()];
        await Promise.all(uuids.map((uuid) => retire(uuid, true)));
      });
    },
  };
}

export type StreamPollers = ReturnType<typeof createStreamPollers>;

interface Poller {
  settings: MappingSettings;
  wake(): void;
  /** Whether it stopped delivering because another instance holds the mapping now. */
  ended(): boolean;
  /**
   * Ends the poller. A batch under way is recorded when it was handled (the mapping changed or moved on), or not
   * at all when `abandon` (the cloud stops its functions too: the batch runs again).
   */
  stop(abandon: boolean): Promise<void>;
}
