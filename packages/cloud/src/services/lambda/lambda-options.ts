import { homedir } from 'node:os';
import { join } from 'node:path';
import type { FunctionRuntime, FunctionRuntimeOptions } from './runtime/types.js';

/** The lambda service's settings: config.json's `lambda` section (every field optional). */
export interface LambdaOptions {
  /** Concurrent executions across all functions (Lambda's account default, 100 here). */
  concurrencyLimit?: number;
  /** Seconds an idle warm process is kept (default 300). */
  idleSeconds?: number;
  /** Days log events are kept for a function without a LogGroup that says otherwise (default 30). */
  logRetentionDays?: number;
  /** Where downloaded Node releases and SDK modules are cached; default `FORTE_CACHE_DIR`, else `$XDG_CACHE_HOME/forte`, else `~/.cache/forte`. */
  cacheDir?: string;
  /** When false the runtime downloads nothing: a missing Node release fails the deployment naming it (default true). */
  allowDownloads?: boolean;
  /** Seconds before the first and second retry of an Event invocation whose function failed (Lambda: about 60 and 120). */
  eventRetryDelaysSeconds?: readonly number[];
  /**
   * On a database several instances share: how long an Event invocation an instance claimed stays its own
   * without being renewed (default 30 s); once it lapses (the instance died), another instance runs it.
   */
  eventLeaseSeconds?: number;
  /** Lifetime of a function's temporary credentials (default 3600 s); they are renewed when half of it is left. */
  credentialsLifetimeSeconds?: number;
  /**
   * On a database several instances share, how long the instance polling an event source mapping may go without
   * renewing its lease before another takes the mapping over (default 15 s).
   */
  eventSourceLeaseSeconds?: number;
  /** Builds the function runtime (the composition root passes the real one; tests may pass a double). */
  createRuntime?: (options: FunctionRuntimeOptions) => FunctionRuntime;
}

export type ResolvedLambdaOptions = Required<Omit<LambdaOptions, 'createRuntime'>> & Pick<LambdaOptions, 'createRuntime'>;

/** Every field of `options`, defaults filled in; `env` is the process environment (FORTE_CACHE_DIR, XDG_CACHE_HOME). */
export function resolveLambdaOptions(options: LambdaOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedLambdaOptions {
  return {
    concurrencyLimit: options.concurrencyLimit ?? 100,
    idleSeconds: options.idleSeconds ?? 300,
    logRetentionDays: options.logRetentionDays ?? 30,
    cacheDir: options.cacheDir ?? defaultCacheDir(env),
    allowDownloads: options.allowDownloads ?? true,
    eventRetryDelaysSeconds: options.eventRetryDelaysSeconds ?? [60, 120],
    eventLeaseSeconds: options.eventLeaseSeconds ?? 30,
    credentialsLifetimeSeconds: options.credentialsLifetimeSeconds ?? 3600,
    eventSourceLeaseSeconds: options.eventSourceLeaseSeconds ?? 15,
    createRuntime: options.createRuntime,
  };
}

function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.FORTE_CACHE_DIR) return env.FORTE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'forte');
}
