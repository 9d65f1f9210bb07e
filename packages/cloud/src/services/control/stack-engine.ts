import { randomUUID } from 'node:crypto';
import type { ChangeAction, ChangeSet, DeployedResource, Deployment, Environment, StackEvent, Template } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import type { Logger } from '../../kernel/logger.js';
import type { ResourceHandler } from '../../kernel/types.js';
import { createAppRegistry, type AppRegistry } from './app-registry.js';
import { applyGraph } from './apply-graph.js';
import { controlError } from './control-errors.js';
import { CONTROL_MIGRATIONS } from './control-migrations.js';
import {
  deleteCleanup,
  deleteDeployed,
  deleteEnvironmentRows,
  deleteLock,
  insertChangeSet,
  insertDeployment,
  insertLock,
  listCleanup,
  listEvents,
  listStandingWithoutEnd,
  listUnfinishedDeployments,
  nowIso,
  publicChangeSet,
  publicEnvironment,
  readApp,
  compactChangeSets,
  readChangeSet,
  readDeployed,
  readDeployment,
  readEnvironment,
  readLock,
  readResourceStatuses,
  setChangeSetStatus,
  setDeploymentStatus,
  setEnvironmentStatus,
  type ChangeSetRecord,
  type CleanupRecord,
} from './control-store.js';
import { deleteResources } from './delete-resources.js';
import { prepareStacks, recordDeploymentStacks } from './deployment-templates.js';
import { recordEnvironmentCleanup } from './environment-cleanups.js';
import { DEFAULT_DELETED_DATA_RETENTION_MS, createDeletedDataArchive, type DeletedDataArchive } from './deleted-data.js';
import { withDestroyedData } from './destroyed-data.js';
import { emitStackEvent, messageOf, type DeploymentTarget, type EngineContext } from './engine-context.js';
import { commitDeployment, rollBack } from './finish-deployment.js';
import { STACK_TYPE, TemplateError } from './evaluate-intrinsics.js';
import { deploymentLeases } from './deployment-lease.js';
import { newId } from './new-ids.js';
import { planChanges } from './plan-changes.js';
import { buildStackGraph, type StackGraph } from './stack-graph.js';
import { isNoEcho, noEchoMask, openNoEchoParameters, sealNoEchoParameters } from './no-echo-parameters.js';
import type { SecretBox } from '../../kernel/secret-box.js';

export interface StackEngineOptions {
  sql: SqlStore;
  log: Logger;
  /** The resource handlers of the cloud's services (`Forte::Stack` is the engine's own). */
  handlerFor(type: string): ResourceHandler | undefined;
  region: string;
  accountId: string;
  /** Seals the values of NoEcho parameters in stored change sets; without it, such values are refused. */
  secrets?: SecretBox;
  /** Independent resources applied at once (default 4). */
  concurrency?: number;
  /** Waits between attempts of rollback and cleanup steps (default 200, 1000, 3000 ms). */
  retryDelaysMs?: readonly number[];
  /** How long copies of deleted data are kept (default 7 days). */
  deletedDataRetentionMs?: number;
  /** Epoch milliseconds (default Date.now); injected by tests. */
  now?: () => number;
  /** Maps an output's string value to the URL this cloud serves it at (default: kept as it is). */
  rewriteOutput?: (value: string) => string;
  /** This cloud instance's id, recorded as the owner of the deployments it runs (default: a random one). */
  instance?: string;
  /**
   * Whether other cloud instances share the database (PostgreSQL): then a deployment is taken over only when
   * its owner's lease lapsed, and lapsed leases are looked for while the cloud runs. Default false: one
   * process owns the database, and a start takes over every unfinished deployment.
   */
  sharedDatabase?: boolean;
  /** How long an instance's deployment lease lasts without renewal (default 15 s); renewed every third of it. */
  deploymentLeaseMs?: number;
}

export interface CreateChangeSetInput {
  appId: string;
  envName: string;
  template: Template;
  nestedTemplates?: Record<string, Template>;
  /** TemplateURL → the project file it was written from, named in messages. */
  nestedTemplateFiles?: Record<string, string>;
  parameters?: Record<string, unknown>;
  currentCloudBackend?: { bucket: string; key: string } | undefined;
  initiatedBy?: string;
}

/**
 * The stack engine: plans change sets against what is deployed, applies them in dependency order with
 * rollback from a journal, deletes environments, and recovers what a crash left behind. One deployment
 * per environment at a time (a lock row); every state change is written transactionally.
 */
export interface StackEngine {
  readonly registry: AppRegistry;
  /** Copies of the data deployments deleted, to restore into the resources deployed in their place. */
  readonly deletedData: DeletedDataArchive;
  /** Creates the tables, then recovers deployments a crash left unfinished. */
  start(): Promise<void>;
  /** Rolls back deployments left IN_PROGRESS/ROLLING_BACK, finishes pending cleanup, frees stale locks. */
  recover(): Promise<void>;
  createChangeSet(input: CreateChangeSetInput): Promise<ChangeSet>;
  describeChangeSet(changeSetId: string): Promise<ChangeSet>;
  /**
   * Starts applying and returns at once with the IN_PROGRESS deployment, whose templates are kept
   * (deployment-templates.ts). `principal` names the authenticated caller, recorded with it.
   */
  executeChangeSet(changeSetId: string, principal?: string): Promise<Deployment>;
  /** Resolves with the deployment once this engine has finished working on it. */
  waitForDeployment(deploymentId: string): Promise<Deployment>;
  getDeployment(deploymentId: string): Promise<Deployment>;
  /** Deletes every resource of the environment, then the environment; waits until done. */
  deleteEnvironment(appId: string, envName: string, initiatedBy: string, principal?: string): Promise<Deployment>;
  describeStack(appId: string, envName: string): Promise<{ environment: Environment; resources: DeployedResource[] }>;
  describeStackEvents(input: { appId: string; envName: string; afterSeq?: number; deploymentId?: string | undefined }): Promise<StackEvent[]>;
  /** Waits for the background work of this engine (deployments, cleanup), at most `timeoutMs`. */
  idle(timeoutMs?: number): Promise<void>;
  /** Stops renewing leases and looking for lapsed ones (a shared database's timers). */
  stop(): void;
}

/** Default lease of a deployment's instance on a shared database. */
export const DEFAULT_DEPLOYMENT_LEASE_MS = 15_000;

const EVENTS_PAGE = 1000;

export function createStackEngine(options: StackEngineOptions): StackEngine {
  const { sql } = options;
  const engine: EngineContext = {
    sql,
    log: options.log,
    handlerFor: options.handlerFor,
    region: options.region,
    accountId: options.accountId,
    concurrency: options.concurrency ?? 4,
    retryDelaysMs: options.retryDelaysMs ?? [200, 1000, 3000],
    rewriteOutput: options.rewriteOutput ?? ((value) => value),
    secrets: options.secrets,
  };
  const log = options.log;
  const registry = createAppRegistry(sql);
  const retentionMs = options.deletedDataRetentionMs ?? DEFAULT_DELETED_DATA_RETENTION_MS;
  const deletedData = createDeletedDataArchive({
    sql,
    log,
    handlerFor: engine.handlerFor,
    retentionMs,
    now: options.now ?? Date.now,
  });
  const shared = options.sharedDatabase === true;
  const leaseMs = options.deploymentLeaseMs ?? DEFAULT_DEPLOYMENT_LEASE_MS;
  const leases = deploymentLeases(sql, options.instance ?? randomUUID(), leaseMs, options.now ?? Date.now);
  let leaseTimer: NodeJS.Timeout | undefined;
  let recovering: Promise<void> | undefined;
  const tasks = new Map<string, Promise<void>>();
  const background = new Set<Promise<void>>();
  /** Per environment: the cleanup running now, so the next deployment starts after it. */
  const cleanups = new Map<string, Promise<void>>();
  const envKey = (appId: string, envName: string): string => `${appId}/${envName}`;

  const track = (promise: Promise<void>): Promise<void> => {
    const guarded = promise.catch((error: unknown) => log.error('stack engine background work failed', { error }));
    background.add(guarded);
    void guarded.finally(() => background.delete(guarded));
    return guarded;
  };

  const targetOf = async (d: Deployment): Promise<DeploymentTarget> => {
    const app = await readApp(sql, d.appId);
    const env = await readEnvironment(sql, d.appId, d.envName);
    return {
      deploymentId: d.deploymentId,
      appId: d.appId,
      appSlug: app?.slug ?? d.appId,
      envName: d.envName,
      stackName: env?.stackName ?? `${d.appId}-${d.envName}`,
    };
  };

  const maskKey = options.secrets?.derive('control no-echo digests');
  const buildGraph = (
    cs: Pick<ChangeSetRecord, 'template' | 'nestedTemplates' | 'nestedTemplateFiles' | 'parameters'>,
    target: Omit<DeploymentTarget, 'deploymentId'>,
  ): StackGraph =>
    buildStackGraph({
      template: cs.template,
      nestedTemplates: cs.nestedTemplates,
      nestedTemplateFiles: cs.nestedTemplateFiles,
      parameters: cs.parameters,
      identity: {
        stackName: target.stackName,
        appId: target.appId,
        appSlug: target.appSlug,
        envName: target.envName,
        region: engine.region,
        accountId: engine.accountId,
      },
      isKnownType: (type) => engine.handlerFor(type) !== undefined,
      appliedAfter: (type) => engine.handlerFor(type)?.appliedAfter ?? [],
      ...(maskKey ? { maskKey } : {}),
    });

  /** Deletes the resources waiting in cleanup rows of one environment (or all), in reverse dependency order. */
  const drainCleanup = async (
    filter: { appId: string; envName: string } | undefined,
    current?: DeploymentTarget,
    leaveTo?: ReadonlySet<string>,
  ): Promise<string[]> => {
    // `leaveTo`: deployments whose own instance is still cleaning up after them (their rows are left to it).
    const rows = (await listCleanup(sql, filter)).filter((row) => !leaveTo?.has(row.deploymentId));
    const byEnv = new Map<string, CleanupRecord[]>();
    for (const row of rows) byEnv.set(envKey(row.appId, row.envName), [...(byEnv.get(envKey(row.appId, row.envName)) ?? []), row]);
    const problems: string[] = [];
    for (const envRows of byEnv.values()) {
      const first = envRows[0];
      if (!first) continue;
      // Events and journal rows go to the deployment running now, else to the one that left the rows.
      const target = current ?? (await targetOf({ deploymentId: first.deploymentId, appId: first.appId, envName: first.envName } as Deployment));
      const keyOf = (r: CleanupRecord): string => `${r.deploymentId}/${r.logicalId}/${r.physicalId}`;
      const byKey = new Map(envRows.map((r) => [keyOf(r), r]));
      problems.push(
        ...(await deleteResources({
          engine,
          target,
          resources: envRows.map((r) => ({
            key: keyOf(r),
            logicalId: r.logicalId,
            resourceType: r.resourceType,
            physicalId: r.physicalId,
            props: r.resolvedProperties,
            dependsOn: r.dependsOn,
          })),
          onDeleted: async (r) => {
            const row = byKey.get(r.key);
            if (row) await deleteCleanup(sql, row);
          },
          beforeDelete: async (r) => {
            const row = byKey.get(r.key);
            if (row)
              await deletedData.keep({
                appId: row.appId,
                envName: row.envName,
                deploymentId: row.deploymentId,
                logicalId: row.logicalId,
                resourceType: row.resourceType,
                physicalId: row.physicalId,
                props: row.resolvedProperties,
              });
          },
        })),
      );
    }
    if (problems.length > 0) log.warn('cleanup left resources behind; it is retried before the next deployment and at start', { problems });
    return problems;
  };

  const startCleanup = (appId: string, envName: string): Promise<void> => {
    const key = envKey(appId, envName);
    const next = (cleanups.get(key) ?? Promise.resolve()).then(async () => {
      await drainCleanup({ appId, envName });
    });
    const tracked = track(next);
    cleanups.set(key, tracked);
    void tracked.finally(() => {
      if (cleanups.get(key) === tracked) cleanups.delete(key);
    });
    return tracked;
  };

  const runDeployment = async (deployment: Deployment, cs: ChangeSetRecord): Promise<void> => {
    const target = await targetOf(deployment);
    try {
      await cleanups.get(envKey(deployment.appId, deployment.envName));
      await drainCleanup({ appId: deployment.appId, envName: deployment.envName }, target);
      const graph = buildGraph({ ...cs, parameters: openNoEchoParameters(options.secrets, cs.changeSetId, cs.template, cs.parameters) }, target);
      const deployedAll = await readDeployed(sql, deployment.appId, deployment.envName);
      const deployed = new Map(deployedAll.filter((r) => r.resourceType !== STACK_TYPE).map((r) => [r.logicalId, r]));
      const actions = new Map<string, ChangeAction>(cs.changes.map((c) => [c.logicalId, c.action]));
      const applied = await applyGraph({ engine, target, graph, actions, deployed });
      if (applied.failure) {
        await rollBack(engine, deployment, target, `${applied.failure.logicalId}: ${applied.failure.message}`);
        return;
      }
      const committed = await commitDeployment(engine, { deployment, graph, applied, deployed, currentCloudBackend: cs.currentCloudBackend });
      if ('error' in committed) {
        await rollBack(engine, deployment, target, committed.error);
        return;
      }
      const toClean = committed.cleanup;
      try {
        const compacted = await compactChangeSets(sql, cs);
        if (compacted > 0) log.debug('earlier change sets compacted', { appId: deployment.appId, envName: deployment.envName, count: compacted });
      } catch (error) {
        // The deployment stands: the next one compacts them.
        log.warn('earlier change sets could not be compacted', { deploymentId: deployment.deploymentId, error });
      }
      log.info('deployment committed', {
        deploymentId: deployment.deploymentId,
        appId: deployment.appId,
        envName: deployment.envName,
        cleanup: toClean.length,
      });
      if (toClean.length > 0) {
        await emitStackEvent(engine, target, 'CLEANUP_IN_PROGRESS', `deleting ${toClean.length} resource(s) no longer in the template or replaced`);
        await startCleanup(deployment.appId, deployment.envName);
      }
      await emitStackEvent(engine, target, 'DEPLOYMENT_COMPLETE');
    } catch (error) {
      log.error('deployment failed unexpectedly', { deploymentId: deployment.deploymentId, error });
      const current = await readDeployment(sql, deployment.deploymentId);
      const reason = error instanceof TemplateError ? messageOf(error) : `internal error: ${messageOf(error)}`;
      if (current?.status === 'IN_PROGRESS') await rollBack(engine, deployment, target, reason);
    }
  };

  const lockedMessage = (envName: string, lock: { initiatedBy: string; acquiredAt: string; deploymentId: string }): string =>
    `Environment ${envName} is being deployed by ${lock.initiatedBy} since ${lock.acquiredAt} (deployment ${lock.deploymentId}). Wait for it to finish; \`forte status\` shows it.`;

  /** Rolls back the unfinished deployments no live instance runs (here: all of them, or those with a lapsed lease). */
  const interruption = shared ? 'the stop of the cloud instance running it' : 'a restart of the cloud';
  const takeOverUnfinished = async (): Promise<void> => {
    for (const deployment of await listUnfinishedDeployments(sql)) {
      if (tasks.has(deployment.deploymentId)) continue; // ours and still running
      // Exactly one instance takes it over: the one whose claim matched while the owner's lease had lapsed.
      if (!(await leases.claim(deployment.deploymentId, !shared))) continue;
      const target = await targetOf(deployment);
      log.warn(shared ? 'recovering a deployment whose instance stopped renewing its lease' : 'recovering a deployment interrupted by a restart', {
        deploymentId: deployment.deploymentId,
        appId: deployment.appId,
        envName: deployment.envName,
        kind: deployment.kind,
      });
      if (deployment.kind === 'deploy') {
        // A rollback that was itself interrupted keeps the error that started it.
        await rollBack(
          engine,
          deployment,
          target,
          deployment.error ? `${deployment.error} (rollback resumed after ${interruption})` : `interrupted by ${interruption}`,
        );
      } else {
        const error = `interrupted by ${interruption}; run DeleteEnvironment again to finish`;
        await sql.transaction(async (tx) => {
          await setDeploymentStatus(tx, deployment.deploymentId, 'FAILED', error);
          await setEnvironmentStatus(tx, deployment.appId, deployment.envName, 'DEPLOY_FAILED');
          await deleteLock(tx, deployment.appId, deployment.envName, deployment.deploymentId);
        });
        await emitStackEvent(engine, target, 'DELETE_FAILED', error);
      }
    }
    // Deployments that stood when their instance stopped, before the clean-up after their commit had ended: the
    // clean-up is finished and their last event written, so whoever follows one (a push, the console) sees it end.
    // On a shared database only once the instance's lease has lapsed (it renews it until the clean-up is done).
    for (const deployment of await listStandingWithoutEnd(sql, STACK_TYPE)) {
      if (tasks.has(deployment.deploymentId)) continue;
      if (!(await leases.claimStanding(deployment.deploymentId, !shared))) continue;
      log.warn('finishing the clean-up of a deployment whose cloud stopped after its commit', {
        deploymentId: deployment.deploymentId,
        appId: deployment.appId,
        envName: deployment.envName,
      });
      const task = track(
        (async () => {
          const target = await targetOf(deployment);
          await drainCleanup({ appId: deployment.appId, envName: deployment.envName }, target);
          await emitStackEvent(engine, target, 'DEPLOYMENT_COMPLETE');
        })(),
      );
      tasks.set(deployment.deploymentId, task);
      try {
        await task;
      } catch (error) {
        // The deployment stands whatever becomes of its clean-up: the cloud starts; the next look (a lease period on a
        // shared database, else the next start) or the environment's next deployment tries the clean-up again.
        log.error('finishing the clean-up of a deployment failed', { deploymentId: deployment.deploymentId, error });
      } finally {
        tasks.delete(deployment.deploymentId);
      }
    }
  };

  const self: StackEngine = {
    registry,
    deletedData,

    async start() {
      await sql.migrate('control', CONTROL_MIGRATIONS);
      await deletedData.purgeExpired();
      await self.recover();
      if (shared) {
        // Renew this instance's leases every third of a lease; look for lapsed ones (a dead instance's) every lease.
        let ticks = 0;
        leaseTimer = setInterval(
          () => {
            ticks += 1;
            void leases.renew([...tasks.keys()]).catch((error: unknown) => log.error('renewing deployment leases failed', { error }));
            if (ticks % 3 === 0 && !recovering) {
              recovering = track(takeOverUnfinished()).finally(() => (recovering = undefined));
            }
          },
          Math.max(10, Math.floor(leaseMs / 3)),
        );
        leaseTimer.unref();
      }
    },

    stop() {
      clearInterval(leaseTimer);
      leaseTimer = undefined;
    },

    async recover() {
      await takeOverUnfinished();
      const stale = await sql.run(
        "DELETE FROM control_locks WHERE deployment_id NOT IN (SELECT deployment_id FROM control_deployments WHERE status IN ('IN_PROGRESS', 'ROLLING_BACK'))",
      );
      if (stale.changes > 0) log.warn('released stale deployment locks', { count: stale.changes });
      // On a shared database, not the rows of a deployment another live instance is cleaning up after.
      await drainCleanup(undefined, undefined, shared ? await leases.heldElsewhere() : undefined);
    },

    async createChangeSet(input) {
      const app = await registry.getApp(input.appId);
      const env = await registry.getEnvironment(input.appId, input.envName);
      const record: ChangeSetRecord = {
        changeSetId: newId('cs'),
        appId: input.appId,
        envName: input.envName,
        createdAt: nowIso(),
        status: 'CREATED',
        changes: [],
        baseGeneration: env.generation,
        template: input.template,
        nestedTemplates: input.nestedTemplates ?? {},
        nestedTemplateFiles: input.nestedTemplateFiles ?? {},
        parameters: input.parameters ?? {},
        currentCloudBackend: input.currentCloudBackend,
        initiatedBy: input.initiatedBy ?? 'unknown',
      };
      try {
        const graph = buildGraph(record, { appId: app.appId, appSlug: app.slug, envName: env.envName, stackName: env.stackName });
        const deployed = await readDeployed(sql, input.appId, input.envName);
        record.changes = await withDestroyedData(planChanges({ graph, deployed, handlerFor: engine.handlerFor }), deployed, {
          handlerFor: engine.handlerFor,
          keepsCopies: retentionMs > 0,
        });
      } catch (error) {
        if (error instanceof TemplateError) {
          // A parameter's check may quote its value: not a NoEcho one's.
          const noEcho = Object.entries(record.parameters).filter(([name]) => isNoEcho(record.template, name));
          const message = noEchoMask(
            noEcho.map(([, value]) => value),
            undefined,
          )(error.message);
          throw controlError('ValidationException', message, message === error.message ? error : undefined);
        }
        throw error;
      }
      await insertChangeSet(sql, { ...record, parameters: sealNoEchoParameters(options.secrets, record.changeSetId, record.template, record.parameters) });
      return publicChangeSet(record);
    },

    async describeChangeSet(changeSetId) {
      const cs = await readChangeSet(sql, changeSetId);
      if (!cs) throw controlError('ResourceNotFoundException', `Change set ${changeSetId} does not exist. Create one with CreateChangeSet.`);
      if (cs.status === 'CREATED') {
        const env = await readEnvironment(sql, cs.appId, cs.envName);
        if (!env || env.generation !== cs.baseGeneration) {
          await setChangeSetStatus(sql, changeSetId, 'OBSOLETE');
          cs.status = 'OBSOLETE';
        }
      }
      return publicChangeSet(cs);
    },

    async executeChangeSet(changeSetId, principal) {
      // The templates are hashed and compressed before the transaction, which then only writes rows.
      const planned = await readChangeSet(sql, changeSetId);
      // An executed one is refused below (its templates may be compacted away already).
      const prepared = planned && planned.status !== 'EXECUTED' ? await prepareStacks(planned) : undefined;
      const outcome = await sql.transaction(async (tx) => {
        const cs = await readChangeSet(tx, changeSetId);
        if (!cs) throw controlError('ResourceNotFoundException', `Change set ${changeSetId} does not exist. Create one with CreateChangeSet.`);
        const env = await readEnvironment(tx, cs.appId, cs.envName);
        if (!env) throw controlError('ResourceNotFoundException', `Environment ${cs.envName} of app ${cs.appId} no longer exists.`);
        if (cs.status === 'EXECUTED') throw controlError('ConflictException', `Change set ${changeSetId} was already executed; create a new change set.`);
        if (cs.status === 'OBSOLETE' || env.generation !== cs.baseGeneration) return { obsolete: true as const };
        const lock = await readLock(tx, cs.appId, cs.envName);
        if (lock) throw controlError('DeploymentInProgressException', lockedMessage(cs.envName, lock));
        const deployment: Deployment = {
          deploymentId: newId('dep'),
          appId: cs.appId,
          envName: cs.envName,
          changeSetId,
          kind: 'deploy',
          status: 'IN_PROGRESS',
          initiatedBy: cs.initiatedBy,
          ...(principal === undefined ? {} : { principal }),
          startedAt: nowIso(),
        };
        await insertDeployment(tx, deployment);
        await recordDeploymentStacks(tx, deployment.deploymentId, prepared ?? (await prepareStacks(cs)));
        await leases.own(tx, deployment.deploymentId);
        await insertLock(tx, cs.appId, cs.envName, { deploymentId: deployment.deploymentId, initiatedBy: cs.initiatedBy, acquiredAt: deployment.startedAt });
        await setEnvironmentStatus(tx, cs.appId, cs.envName, 'DEPLOYING', deployment.deploymentId);
        await setChangeSetStatus(tx, changeSetId, 'EXECUTED');
        return { deployment, cs };
      });
      if ('obsolete' in outcome) {
        await setChangeSetStatus(sql, changeSetId, 'OBSOLETE');
        throw controlError(
          'ConflictException',
          `Change set ${changeSetId} is out of date: another deployment of the environment succeeded after it was created; create a new change set.`,
        );
      }
      const { deployment, cs } = outcome;
      const target = await targetOf(deployment);
      await emitStackEvent(engine, target, 'DEPLOYMENT_IN_PROGRESS', `change set ${changeSetId} (${cs.changes.length} change(s))`);
      log.info('deployment started', {
        deploymentId: deployment.deploymentId,
        appId: deployment.appId,
        envName: deployment.envName,
        changes: cs.changes.length,
      });
      const task = track(runDeployment(deployment, cs));
      tasks.set(deployment.deploymentId, task);
      void task.finally(() => tasks.delete(deployment.deploymentId));
      return deployment;
    },

    async waitForDeployment(deploymentId) {
      await tasks.get(deploymentId);
      return self.getDeployment(deploymentId);
    },

    async getDeployment(deploymentId) {
      const deployment = await readDeployment(sql, deploymentId);
      if (!deployment) throw controlError('ResourceNotFoundException', `Deployment ${deploymentId} does not exist.`);
      return deployment;
    },

    async deleteEnvironment(appId, envName, initiatedBy, principal) {
      const deployment = await sql.transaction(async (tx) => {
        const env = await readEnvironment(tx, appId, envName);
        if (!env) throw controlError('ResourceNotFoundException', `Environment ${envName} does not exist in app ${appId}.`);
        const lock = await readLock(tx, appId, envName);
        if (lock) throw controlError('DeploymentInProgressException', lockedMessage(envName, lock));
        const d: Deployment = {
          deploymentId: newId('dep'),
          appId,
          envName,
          kind: 'delete',
          status: 'IN_PROGRESS',
          initiatedBy,
          ...(principal === undefined ? {} : { principal }),
          startedAt: nowIso(),
        };
        await insertDeployment(tx, d);
        await leases.own(tx, d.deploymentId);
        await insertLock(tx, appId, envName, { deploymentId: d.deploymentId, initiatedBy, acquiredAt: d.startedAt });
        await setEnvironmentStatus(tx, appId, envName, 'DELETING', d.deploymentId);
        return d;
      });
      const target = await targetOf(deployment);
      const work = (async () => {
        await emitStackEvent(engine, target, 'DELETE_IN_PROGRESS');
        await cleanups.get(envKey(appId, envName));
        const problems = await drainCleanup({ appId, envName }, target);
        const records = (await readDeployed(sql, appId, envName)).filter((r) => r.resourceType !== STACK_TYPE);
        problems.push(
          ...(await deleteResources({
            engine,
            target,
            resources: records.map((r) => ({
              key: r.logicalId,
              logicalId: r.logicalId,
              resourceType: r.resourceType,
              physicalId: r.physicalId,
              props: r.resolvedProperties,
              dependsOn: r.dependsOn,
            })),
            onDeleted: (r) => deleteDeployed(sql, appId, envName, r.logicalId),
          })),
        );
        if (problems.length === 0) {
          await sql.transaction(async (tx) => {
            await deleteEnvironmentRows(tx, appId, envName);
            await deletedData.forgetEnvironment(tx, appId, envName);
            await recordEnvironmentCleanup(tx, appId, envName, Date.now());
            await setDeploymentStatus(tx, deployment.deploymentId, 'SUCCEEDED');
          });
          await emitStackEvent(engine, target, 'DELETE_COMPLETE');
          log.info('environment deleted', { appId, envName });
        } else {
          const error = `${problems.join('; ')}. The environment was kept with the resources that remain; run DeleteEnvironment again to retry.`;
          await sql.transaction(async (tx) => {
            await setDeploymentStatus(tx, deployment.deploymentId, 'FAILED', error);
            await setEnvironmentStatus(tx, appId, envName, 'DEPLOY_FAILED');
            await deleteLock(tx, appId, envName, deployment.deploymentId);
          });
          await emitStackEvent(engine, target, 'DELETE_FAILED', error);
        }
      })();
      const task = track(work);
      tasks.set(deployment.deploymentId, task);
      try {
        await work;
      } finally {
        tasks.delete(deployment.deploymentId);
      }
      return self.getDeployment(deployment.deploymentId);
    },

    async describeStack(appId, envName) {
      const env = await registry.getEnvironment(appId, envName);
      const statuses = await readResourceStatuses(sql, appId, envName);
      const resources = (await readDeployed(sql, appId, envName)).map((r) => {
        const last = r.resourceType === STACK_TYPE ? undefined : statuses.get(r.logicalId);
        return {
          logicalId: r.logicalId,
          resourceType: r.resourceType,
          physicalId: r.physicalId,
          attributes: r.attributes,
          ...(last ? { status: last.status } : {}),
          ...(last?.reason === undefined ? {} : { statusReason: last.reason }),
        };
      });
      return { environment: publicEnvironment(env), resources };
    },

    async describeStackEvents(input) {
      await registry.getApp(input.appId);
      return listEvents(sql, {
        appId: input.appId,
        envName: input.envName,
        afterSeq: input.afterSeq ?? 0,
        deploymentId: input.deploymentId,
        limit: EVENTS_PAGE,
      });
    },

    async idle(timeoutMs = 60_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      });
      try {
        while (background.size > 0) {
          const all = Promise.all([...background]).then(() => 'done' as const);
          if ((await Promise.race([all, timeout.then(() => 'timeout' as const)])) === 'timeout') return;
        }
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return self;
}
