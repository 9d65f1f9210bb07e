import { setTimeout as sleep } from 'node:timers/promises';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { TestCloud } from './start-test-cloud.js';

/** Logs every event it gets, for the test to read back through the CloudWatch Logs API. */
export const RECORDER = `exports.handler = async (event) => { console.log('EVENT ' + JSON.stringify(event)); return null; };`;
/** The schedules' clock runs a minute per real second: rate(1 minute) is tested as written. */
export const SCALE = 60;
export const MINUTE = 60_000;
export const RULE = 'AWS::Events::Rule';
/** Cold starts on a loaded machine can pass Lambda's default 3 s. */
export const SLOW_MACHINE = { Timeout: 60 };

/** The events function `fn` logged, read back through the CloudWatch Logs API. */
export async function eventsOf(cloud: TestCloud, fn: string): Promise<Record<string, unknown>[]> {
  const logs = new CloudWatchLogsClient({ endpoint: `${cloud.url}/logs/`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
  try {
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}`, filterPattern: '"EVENT"' }));
    return (out.events ?? []).map((e) => {
      const message = e.message ?? '';
      return JSON.parse(message.slice(message.indexOf('EVENT ') + 'EVENT '.length)) as Record<string, unknown>;
    });
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return [];
    throw error;
  } finally {
    logs.destroy();
  }
}

/** Polls `read` until `done` holds; fails naming `what` and the last value. */
export async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 100_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

export const timesOf = (events: Record<string, unknown>[]): number[] => events.map((e) => Date.parse(String(e.time))).sort((a, b) => a - b);
/** Whether `times` are one minute apart each: invocations are asynchronous, so later ones may arrive first. */
export const contiguous = (times: number[]): boolean => times.every((t, i) => i === 0 || t - times[i - 1]! === MINUTE);
