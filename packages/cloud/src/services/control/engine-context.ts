import type { SqlStore } from '../../engines/types.js';
import type { Logger } from '../../kernel/logger.js';
import type { SecretBox } from '../../kernel/secret-box.js';
import type { ResourceContext, ResourceHandler } from '../../kernel/types.js';
import { appendEvent, appendJournal, type JournalRecord } from './control-store.js';

/** What every part of the stack engine shares. */
export interface EngineContext {
  sql: SqlStore;
  log: Logger;
  handlerFor(type: string): ResourceHandler | undefined;
  region: string;
  accountId: string;
  /** Independent resources applied at once. */
  concurrency: number;
  /** Waits between attempts of a rollback or cleanup step; its length + 1 is the number of attempts. */
  retryDelaysMs: readonly number[];
  /** Seals the unmasked properties of resources that take NoEcho values (sealed-properties.ts). */
  secrets?: SecretBox | undefined;
  /** Maps an output's string value to the URL this cloud serves it at (`OUTPUT_URL_REWRITES`), or keeps it. */
  rewriteOutput(value: string): string;
}

/** The deployment a step belongs to, and the names handlers are told. */
export interface DeploymentTarget {
  deploymentId: string;
  appId: string;
  appSlug: string;
  envName: string;
  stackName: string;
}

export function resourceContextFor(
  engine: EngineContext,
  target: DeploymentTarget,
  logicalId: string,
  pendingValues?: ResourceContext['pendingValues'],
): ResourceContext {
  return {
    ...(pendingValues ? { pendingValues } : {}),
    appId: target.appId,
    appSlug: target.appSlug,
    envName: target.envName,
    stackName: target.stackName,
    logicalId,
    region: engine.region,
    accountId: engine.accountId,
    log: engine.log.child({ appId: target.appId, envName: target.envName, logicalId }),
  };
}

export async function emitEvent(
  engine: EngineContext,
  target: DeploymentTarget,
  logicalId: string,
  resourceType: string,
  status: string,
  reason?: string,
): Promise<void> {
  await appendEvent(engine.sql, { deploymentId: target.deploymentId, appId: target.appId, envName: target.envName, logicalId, resourceType, status, reason });
}

/** A stack-level event: named after the root stack, like CloudFormation's. */
export async function emitStackEvent(engine: EngineContext, target: DeploymentTarget, status: string, reason?: string): Promise<void> {
  await emitEvent(engine, target, target.stackName, 'Forte::Stack', status, reason);
}

export async function journal(engine: EngineContext, target: DeploymentTarget, entry: Omit<JournalRecord, 'seq'>): Promise<void> {
  await appendJournal(engine.sql, target.deploymentId, entry);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `step`, retrying after each delay; answers the last error if every attempt failed. */
export async function withRetries(delaysMs: readonly number[], step: () => Promise<void>): Promise<unknown> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= delaysMs.length; attempt++) {
    try {
      await step();
      return undefined;
    } catch (error) {
      lastError = error ?? new Error('failed');
      const delay = delaysMs[attempt];
      if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return lastError;
}
