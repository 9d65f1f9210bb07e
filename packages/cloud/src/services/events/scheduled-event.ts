import { randomUUID } from 'node:crypto';

/** ISO 8601 without milliseconds, as EventBridge writes `time`: `2015-10-08T16:53:06Z`. */
export const eventTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** EventBridge's scheduled event for one firing of a rule at its scheduled time `at`. */
export function scheduledEvent(input: { ruleArn: string; at: number; account: string; region: string }): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: input.account,
    time: eventTime(input.at),
    region: input.region,
    resources: [input.ruleArn],
    detail: {},
  };
}
