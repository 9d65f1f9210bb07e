import { z } from 'zod';
import { defineOperation, jsonApiRoute } from '../../kernel/json-api.js';
import type { Route } from '../../kernel/types.js';
import { LOGS_ERRORS } from './lambda-errors.js';
import type { LogStore, StoredLogEvent } from './log-store.js';
import { compileFilterPattern } from './filter-pattern.js';

/** Longest the scan of a filter pattern holds the event loop before it lets other requests run. */
const SCAN_SLICE_MS = 10;
/** Rows read at once by FilterLogEvents: a page of long messages is read in one synchronous step (1,000 of 20 KB: 90 ms). */
const PAGE_ROWS = 100;
/** Most message characters in one FilterLogEvents answer (CloudWatch answers at most 1 MB of events). */
const MAX_ANSWER_CHARS = 1024 * 1024;
const groupName = z.string().min(1).max(512);
const limit = (max: number) => z.number().int().min(1).max(max).optional();

/** Which group a call names: `logGroupName`, or `logGroupIdentifier` (a name or its ARN). */
const groupOf = (input: { logGroupName?: string | undefined; logGroupIdentifier?: string | undefined }): string => {
  const id = input.logGroupName ?? input.logGroupIdentifier;
  if (!id) throw LOGS_ERRORS.error('InvalidParameterException', 'Either logGroupName or logGroupIdentifier must be given.');
  return /^arn:aws[a-z-]*:logs:[^:]*:\d{12}:log-group:([^:]+)(?::\*)?$/.exec(id)?.[1] ?? id;
};

const token = (id: number, prefix: string): string => `${prefix}/${Buffer.from(String(id)).toString('base64url')}`;
const tokenId = (value: string | undefined): number => {
  if (value === undefined) return 0;
  const id = Number(Buffer.from(value.replace(/^[fb]\//, ''), 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(id) || id < 0)
    throw LOGS_ERRORS.error('InvalidParameterException', 'The next token is not valid: pass a token a previous answer gave.');
  return id;
};

type EventQuery = Parameters<LogStore['events']>[0];

/**
 * The events of `query` in its order, read a page at a time, that `matches` accepts (all without it): as many as
 * `wanted` and, as CloudWatch answers, 1 MB of messages allow (at least one), from at most 50,000 read. Matching
 * long messages against many terms can take seconds, so the scan lets other requests run every few
 * milliseconds. `afterId` is the last event read and passed over or taken, where a next call goes on; -1 when
 * there are no more.
 */
async function readEvents(
  logs: LogStore,
  query: Omit<EventQuery, 'limit'>,
  wanted: number,
  matches?: (message: string) => boolean,
): Promise<{ found: StoredLogEvent[]; afterId: number }> {
  const found: StoredLogEvent[] = [];
  let afterId = query.afterId;
  let foundChars = 0;
  let sliceStart = performance.now();
  const full = (): boolean => found.length >= wanted || foundChars >= MAX_ANSWER_CHARS;
  for (let scanned = 0; !full() && scanned < 50_000;) {
    const page = await logs.events({ ...query, afterId, limit: PAGE_ROWS });
    scanned += page.length;
    for (const e of page) {
      if (!matches || matches(e.message)) {
        if (found.length > 0 && foundChars + e.message.length > MAX_ANSWER_CHARS) {
          // Not taken: the next call starts with it.
          foundChars = MAX_ANSWER_CHARS;
          break;
        }
        found.push(e);
        foundChars += e.message.length;
      }
      afterId = e.id;
      if (full()) break;
      if (performance.now() - sliceStart > SCAN_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    if (page.length < PAGE_ROWS && !full()) return { found, afterId: -1 };
  }
  return { found, afterId };
}

/**
 * The CloudWatch Logs subset that log tools use for functions' logs (JSON 1.1, `Logs_20140328.*`, SigV4 service
 * `logs`, at `POST /logs/`): FilterLogEvents, GetLogEvents, DescribeLogStreams, each authorized on the log
 * group's ARN, and DescribeLogGroups (on `log-group:*`, as AWS authorizes it), which tells whether a function
 * has logged yet without a failed call.
 */
export function createLogsRoute(options: { logs: LogStore; region: string; accountId: string }): Route {
  const { logs } = options;
  const groupArn = (group: string): string => `arn:aws:logs:${options.region}:${options.accountId}:log-group:${group}`;
  const known = async (group: string): Promise<void> => {
    if (!(await logs.groupExists(group))) throw LOGS_ERRORS.error('ResourceNotFoundException', 'The specified log group does not exist.');
  };
  const event = (e: StoredLogEvent) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingested });

  return jsonApiRoute({
    name: 'logs',
    path: '/logs/',
    targetPrefix: 'Logs_20140328.',
    signingService: 'logs',
    actionPrefix: 'logs',
    errors: LOGS_ERRORS,
    validationErrorCode: 'InvalidParameterException',
    operations: {
      DescribeLogGroups: defineOperation({
        input: z.object({
          logGroupNamePrefix: groupName.optional(),
          nextToken: z.string().optional(),
          limit: limit(50),
        }),
        resources: () => [groupArn('*')],
        handler: async (input) => {
          const size = input.limit ?? 50;
          const after = input.nextToken === undefined ? '' : Buffer.from(input.nextToken, 'base64url').toString('utf8');
          const page = await logs.groups(input.logGroupNamePrefix, after, size + 1);
          const shown = page.slice(0, size);
          return {
            logGroups: shown.map((g) => ({
              logGroupName: g.name,
              arn: `${groupArn(g.name)}:*`,
              logGroupArn: groupArn(g.name),
              ...(g.retentionDays !== null ? { retentionInDays: g.retentionDays } : {}),
            })),
            ...(page.length > size ? { nextToken: Buffer.from(shown.at(-1)!.name, 'utf8').toString('base64url') } : {}),
          };
        },
      }),
      FilterLogEvents: defineOperation({
        input: z.object({
          logGroupName: groupName.optional(),
          logGroupIdentifier: groupName.optional(),
          logStreamNames: z.array(z.string()).max(100).optional(),
          logStreamNamePrefix: z.string().optional(),
          startTime: z.number().int().optional(),
          endTime: z.number().int().optional(),
          filterPattern: z.string().max(1024).optional(),
          nextToken: z.string().optional(),
          limit: limit(10000),
        }),
        resources: (input) => [groupArn(groupOf(input))],
        handler: async (input) => {
          const group = groupOf(input);
          await known(group);
          const matches = input.filterPattern ? compileFilterPattern(input.filterPattern) : undefined;
          const { found, afterId } = await readEvents(
            logs,
            {
              group,
              ...(input.logStreamNames ? { streams: input.logStreamNames } : {}),
              ...(input.logStreamNamePrefix ? { streamPrefix: input.logStreamNamePrefix } : {}),
              ...(input.startTime !== undefined ? { startTime: input.startTime } : {}),
              ...(input.endTime !== undefined ? { endTime: input.endTime } : {}),
              afterId: tokenId(input.nextToken),
            },
            input.limit ?? 10000,
            matches,
          );
          return {
            events: found.map((e) => ({ logStreamName: e.stream, eventId: String(e.id), ...event(e) })),
            searchedLogStreams: [],
            ...(afterId >= 0 ? { nextToken: token(afterId, 'f') } : {}),
          };
        },
      }),
      GetLogEvents: defineOperation({
        input: z.object({
          logGroupName: groupName.optional(),
          logGroupIdentifier: groupName.optional(),
          logStreamName: z.string().min(1),
          startTime: z.number().int().optional(),
          endTime: z.number().int().optional(),
          nextToken: z.string().optional(),
          limit: limit(10000),
          startFromHead: z.boolean().optional(),
        }),
        resources: (input) => [groupArn(groupOf(input))],
        handler: async (input) => {
          const group = groupOf(input);
          await known(group);
          const backward = input.nextToken?.startsWith('b/') ?? !input.startFromHead;
          const from = tokenId(input.nextToken);
          const { found } = await readEvents(
            logs,
            {
              group,
              streams: [input.logStreamName],
              ...(input.startTime !== undefined ? { startTime: input.startTime } : {}),
              ...(input.endTime !== undefined ? { endTime: input.endTime } : {}),
              afterId: from,
              descending: backward,
            },
            input.limit ?? 10000,
          );
          const events = backward ? found.reverse() : found;
          const first = events[0]?.id;
          const last = events.at(-1)?.id;
          // As CloudWatch: at the end of the stream the forward token is the one given, so a tailing client polls with it.
          return {
            events: events.map(event),
            nextForwardToken: last !== undefined ? token(last, 'f') : (input.nextToken ?? token(backward ? Number.MAX_SAFE_INTEGER - 1 : from, 'f')),
            nextBackwardToken: first !== undefined ? token(first, 'b') : (input.nextToken ?? token(0, 'b')),
          };
        },
      }),
      DescribeLogStreams: defineOperation({
        input: z.object({
          logGroupName: groupName.optional(),
          logGroupIdentifier: groupName.optional(),
          logStreamNamePrefix: z.string().optional(),
          orderBy: z.enum(['LogStreamName', 'LastEventTime']).optional(),
          descending: z.boolean().optional(),
          nextToken: z.string().optional(),
          limit: limit(50),
        }),
        resources: (input) => [groupArn(groupOf(input))],
        handler: async (input) => {
          const group = groupOf(input);
          await known(group);
          const all = await logs.streams(group, input.logStreamNamePrefix);
          if (input.orderBy === 'LastEventTime') all.sort((a, b) => a.last - b.last);
          if (input.descending) all.reverse();
          const start = tokenId(input.nextToken);
          const size = input.limit ?? 50;
          const page = all.slice(start, start + size);
          return {
            logStreams: page.map((s) => ({
              logStreamName: s.stream,
              arn: `${groupArn(group)}:log-stream:${s.stream}`,
              creationTime: s.first,
              firstEventTimestamp: s.first,
              lastEventTimestamp: s.last,
              lastIngestionTime: s.lastIngested,
              storedBytes: s.bytes,
            })),
            ...(start + size < all.length ? { nextToken: token(start + size, 'f') } : {}),
          };
        },
      }),
    },
  });
}
