import { CONSOLE_API_PATH } from '@forte/protocol';
import { REQUEST_LOG, REQUEST_LOG_SINKS, type AnsweredRequest } from '../../kernel/capabilities.js';
import { provide } from '../../kernel/capability.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { REQUEST_LOG_MIGRATIONS } from './migrations.js';
import { createRequestLogStore, type RequestLogSettings } from './request-log-store.js';

/** The request log's settings (config.json's `requestLog` section); each field defaults in request-log-store.ts. */
export interface RequestLogOptions extends Partial<RequestLogSettings> {
  /** How often old rows are swept (default 60 s; also at start). */
  sweepIntervalMs?: number | undefined;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The console's own files are not kept: a page load is a dozen of them, and they say nothing about the
 * cloud's APIs. Its API calls (sign-in, the pipe) are kept under the service `console`.
 */
const kept = (entry: AnsweredRequest): boolean => entry.route !== 'console' || entry.path.startsWith(CONSOLE_API_PATH);

/**
 * The cloud's request log: every request the kernel answered (`REQUEST_LOG_SINKS`), written in batches off the
 * request path to `request_log`, swept by age and count, read by the control API's `ListRequestLog` (`REQUEST_LOG`).
 */
export function createRequestLogService(kernel: Kernel, options: RequestLogOptions = {}): Service {
  const log = kernel.log.child({ service: 'request-log' });
  const { sweepIntervalMs, ...settings } = options;
  const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as Partial<RequestLogSettings>;
  const store = createRequestLogStore({ sql: kernel.sql, log, settings: defined });
  let started = false;
  let sweepTimer: NodeJS.Timeout | undefined;
  const sweep = (): void => {
    store.sweep().catch((error: unknown) => log.error('sweeping the request log failed', { error }));
  };
  return {
    name: 'request-log',
    routes: [],
    provides: [
      provide(REQUEST_LOG_SINKS, {
        // Requests answered before the table exists (the start) are not kept.
        record: (entry) => {
          if (started && kept(entry)) store.record(entry);
        },
      }),
      provide(REQUEST_LOG, { query: (query) => store.query(query) }),
    ],
    async start() {
      await kernel.sql.migrate('request-log', REQUEST_LOG_MIGRATIONS);
      started = true;
      sweep();
      sweepTimer = setInterval(sweep, sweepIntervalMs ?? SWEEP_INTERVAL_MS);
      sweepTimer.unref();
    },
    async stop() {
      clearInterval(sweepTimer);
      await store.stop();
    },
  };
}
