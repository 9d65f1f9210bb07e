import { createHash } from 'node:crypto';
import { OBJECTS } from '../../kernel/capabilities.js';
import type { Kernel } from '../../kernel/types.js';
import { CodeUnavailableError } from './code-blobs.js';
import { MAX_ZIPPED_BYTES, type CodeStore } from './code-store.js';
import type { FunctionCredentialStore, FunctionCredentials } from './function-credentials.js';
import { functionEnvironment } from './function-environment.js';
import type { FunctionStore, StoredFunction, StoredLayerVersion } from './function-store.js';
import type { FunctionRuntime, FunctionSpec } from './runtime/types.js';

/**
 * The deployed functions as the runtime runs them: each function's spec (code, layers, environment with its
 * role's current credentials) is deployed to the runtime, and deployed again with new credentials before
 * the old ones expire. Invocations wait for a deployment under way (`ready`).
 */
export function createFunctionRegistry(options: {
  kernel: Kernel;
  store: FunctionStore;
  code: CodeStore;
  credentials: FunctionCredentialStore;
  runtime: FunctionRuntime;
  credentialsLifetimeMs: number;
}) {
  const { kernel, store, code, credentials, runtime } = options;
  // `deployed` settles when the deployment ends, true when it succeeded; `running` when this function's code
  // runs here (this deployment or one before it, which a failed redeployment leaves running).
  type LiveEntry = { credentials: FunctionCredentials; roleArn: string; deployed: Promise<boolean>; running: boolean };
  const live = new Map<string, LiveEntry>();
  // Deployments of a function this instance had not deployed yet, started by an invocation: concurrent ones share it.
  const firstDeploys = new Map<string, Promise<void>>();
  // Deployments still issuing their credentials (a database transaction), before they are `live`: an
  // invocation waits for them too, or a queued invocation run right at start would find no function.
  const issuing = new Map<string, Promise<unknown>>();
  // Renewed with half their lifetime left: an invocation under way (up to Lambda's 15 minutes) keeps valid keys.
  const fresh = (creds: FunctionCredentials): boolean => creds.expiresAt - Date.now() > options.credentialsLifetimeMs / 2;

  async function specOf(fn: StoredFunction, creds: FunctionCredentials): Promise<FunctionSpec> {
    const layerDirs: string[] = [];
    for (const arn of fn.config.layers) {
      const layer = await store.getLayerVersion(arn);
      if (layer) layerDirs.push(await layerDir(layer));
    }
    return {
      name: fn.name,
      arn: fn.arn,
      codeDir: await code.ensure(fn.codeSha256, () => deployedObject(fn)),
      handler: fn.config.handler,
      runtime: fn.config.runtime,
      memoryMb: fn.config.memoryMb,
      timeoutSeconds: fn.config.timeoutSeconds,
      environment: functionEnvironment({
        variables: fn.config.variables,
        credentials: creds,
        region: kernel.config.region,
        baseUrl: kernel.baseUrl(),
        apis: kernel.jsonApis(),
      }),
      layerDirs,
      ...(fn.config.reservedConcurrency !== undefined ? { reservedConcurrency: fn.config.reservedConcurrency } : {}),
      // New credentials change the environment: warm processes holding the old ones retire.
      revision: createHash('sha256').update(`${fn.revision}\n${creds.accessKeyId}`).digest('hex').slice(0, 32),
    };
  }

  /**
   * The folder of a layer version's code: here already, or unpacked from its zip in the blob store, or from the
   * zip kept for it since when it was published before zips were kept (legacy-layer-zips.ts). Without either,
   * a CodeUnavailableError that names the layer and the fix.
   */
  async function layerDir(layer: StoredLayerVersion): Promise<string> {
    try {
      return await code.ensure(layer.codeSha256);
    } catch (error) {
      if (!(error instanceof CodeUnavailableError)) throw error;
      if (layer.keptSha256 !== undefined) return code.ensure(layer.keptSha256);
      throw new CodeUnavailableError(
        `The layer version ${layer.arn} was published before layer code was kept in the blob store, and this instance does not have it: ` +
          'redeploy the layer (publish a new version and point the functions at it), or restart the instance that published it, which then keeps it in the blob store.',
        { cause: error },
      );
    }
  }

  /** The object the function was deployed from, if it has one and it is still there. */
  async function deployedObject(fn: StoredFunction): Promise<Buffer | undefined> {
    const source = fn.config.codeSource;
    if (!source) return undefined;
    const read = await kernel.capability(OBJECTS).read(source.bucket, source.key, { maxBytes: MAX_ZIPPED_BYTES });
    return read.status === 'found' ? read.body : undefined;
  }

  async function deploy(fn: StoredFunction, reuseCredentials: boolean): Promise<void> {
    const current = live.get(fn.name);
    let creds: FunctionCredentials;
    if (reuseCredentials && current && current.roleArn === fn.config.role && fresh(current.credentials)) creds = current.credentials;
    else {
      const issued = credentials.issue(fn.name, fn.config.role, options.credentialsLifetimeMs);
      const waiting = issued.catch(() => undefined);
      issuing.set(fn.name, waiting);
      try {
        creds = await issued;
      } finally {
        if (issuing.get(fn.name) === waiting) issuing.delete(fn.name);
      }
    }
    const deployed = specOf(fn, creds).then((spec) => runtime.deploy(spec));
    const entry: LiveEntry = {
      credentials: creds,
      roleArn: fn.config.role,
      running: current?.running ?? false,
      deployed: deployed.then(
        (): boolean => (entry.running = true),
        (): boolean => false,
      ),
    };
    live.set(fn.name, entry);
    await deployed;
  }

  /** Deploys the function as the database holds it now (the caller's row may predate a change or a delete). */
  async function deployStored(name: string): Promise<void> {
    const fn = await store.get(name);
    if (fn) await deploy(fn, false);
  }

  return {
    /** Makes `fn` the function's current code in the runtime; rejects as the runtime does (RuntimeSetupError). */
    deploy: (fn: StoredFunction): Promise<void> => deploy(fn, true),
    async remove(name: string): Promise<void> {
      live.delete(name);
      await runtime.remove(name);
      await credentials.revoke(name);
    },
    /**
     * Another instance sharing the database changed or deleted the function: runs what the database holds
     * now (its own credentials kept while fresh; its code unpacked from the kept zip when this instance's
     * folder lacks it), or stops running it.
     */
    async changedElsewhere(name: string): Promise<void> {
      // The message may come before the one that changes the store's data version: read past what it keeps.
      const fn = await store.get(name, { fresh: true });
      if (!fn) {
        live.delete(name);
        await runtime.remove(name);
        return;
      }
      const had = live.has(name);
      await deploy(fn, true).catch((error: unknown) => {
        // Never deployed here: the next invocation tries again (`ready`) rather than finding a failed deployment.
        if (!had) live.delete(name);
        throw error;
      });
    },
    /**
     * Waits for a deployment of the function under way; deploys it first if this instance has not (another
     * instance of a cluster deployed it, and this one has not heard of it yet). Rejects as `deploy` does, and
     * with CodeUnavailableError when its code is nowhere to be had.
     */
    async ready(name: string): Promise<void> {
      await issuing.get(name);
      const entry = live.get(name);
      // A deployment under way (another instance's change, told by the bus) that fails leaves the function
      // running here only if an earlier one did; otherwise the invocation deploys it itself, and so rejects
      // with why it cannot run (its layer's code unavailable, say) rather than finding nothing deployed.
      if (entry && ((await entry.deployed) || entry.running)) return;
      let first = firstDeploys.get(name);
      if (!first) {
        first = deployStored(name)
          // Tried again at the next invocation (the code may be kept by then), not left as a failed deployment.
          .catch((error: unknown) => {
            live.delete(name);
            throw error;
          })
          .finally(() => firstDeploys.delete(name));
        firstDeploys.set(name, first);
      }
      await first;
    },
    /** The credentials a function runs with now (tests and diagnostics). */
    credentialsOf: (name: string): FunctionCredentials | undefined => live.get(name)?.credentials,
    /** Deploys every stored function (cloud start); a function whose runtime cannot be set up is logged, not fatal. */
    async deployAll(): Promise<void> {
      for (const fn of await store.all()) {
        deploy(fn, false).catch((error: unknown) => kernel.log.error('function could not be deployed at start', { function: fn.name, error }));
      }
    },
    /** Renews the credentials of every function that has half their lifetime left or less. */
    async renewCredentials(): Promise<void> {
      for (const [name, entry] of live) {
        if (fresh(entry.credentials)) continue;
        const fn = await store.get(name);
        if (!fn) continue;
        await deploy(fn, false).catch((error: unknown) => kernel.log.error('function credentials could not be renewed', { function: name, error }));
      }
    },
  };
}

export type FunctionRegistry = ReturnType<typeof createFunctionRegistry>;
