import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { UserError, type PluginContext } from '@forte/protocol';

/** `10m`, `2h`, `1d`, `30s` → milliseconds. */
export function parseSince(value: string): number {
  const match = /^(\d+)([smhd])$/.exec(value);
  if (!match) throw new UserError(`--since ${value} is not a duration.`, 'Use a number and a unit: 30s, 10m, 2h or 1d.');
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

/** Reads `/aws/lambda/<name>-<env>` through the cloud's FilterLogEvents; with `follow`, keeps polling until `signal` aborts. */
export async function printLogs(
  ctx: PluginContext,
  name: string,
  options: { sinceMs: number; follow: boolean; signal?: AbortSignal; pollMs?: number },
): Promise<number> {
  const project = ctx.project();
  const cloud = await ctx.cloud();
  const client = new CloudWatchLogsClient({
    endpoint: `${cloud.endpoint.replace(/\/$/, '')}/logs/`,
    region: cloud.region,
    credentials: { accessKeyId: cloud.accessKeyId, secretAccessKey: cloud.secretAccessKey },
    maxAttempts: 1,
  });
  const logGroupName = `/aws/lambda/${name}-${project.envName}`;
  let startTime = Date.now() - options.sinceMs;
  const seen = new Set<string>();
  let printed = 0;
  try {
    for (;;) {
      let nextToken: string | undefined;
      do {
        let answer;
        try {
          answer = await client.send(new FilterLogEventsCommand({ logGroupName, startTime, ...(nextToken ? { nextToken } : {}) }));
        } catch (error) {
          const e = error as Error;
          if (e.name === 'ResourceNotFoundException')
            throw new UserError(`${logGroupName} has no logs: the function was not deployed or never ran.`, 'Run `forte push`, then invoke it.', {
              cause: error,
            });
          throw new UserError(`Reading ${logGroupName} failed: ${e.name}: ${e.message}`, 'Check that the cloud is running (`forte cloud status`).', {
            cause: error,
          });
        }
        for (const event of answer.events ?? []) {
          const id = event.eventId ?? `${event.timestamp}:${event.message}`;
          if (seen.has(id)) continue;
          seen.add(id);
          ctx.print.info(`${new Date(event.timestamp ?? 0).toISOString()} ${(event.message ?? '').trimEnd()}`);
          printed++;
          if ((event.timestamp ?? 0) > startTime) startTime = event.timestamp ?? startTime;
        }
        nextToken = answer.nextToken;
      } while (nextToken);
      if (!options.follow || options.signal?.aborted) return printed;
      await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
      if (options.signal?.aborted) return printed;
    }
  } finally {
    client.destroy();
  }
}

/** `forte function logs <name> [--follow] [--since 10m]`. */
export async function logsCommand(ctx: PluginContext): Promise<void> {
  const name = ctx.input.subCommands[0];
  if (!name) throw new UserError('Name the function whose logs to show.', 'Run `forte function logs <name> [--follow] [--since 10m]`.');
  const since = ctx.input.options['since'];
  const follow = ctx.input.options['follow'] === true;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  try {
    await printLogs(ctx, name, { sinceMs: parseSince(typeof since === 'string' ? since : '10m'), follow, signal: controller.signal });
  } finally {
    process.off('SIGINT', stop);
  }
}
