import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureAwsSdkModules } from './aws-sdk-modules.js';
import { FunctionNotDeployedError, RuntimeSetupError, TooManyRequestsError } from './errors.js';
import { functionEnvironment, newLogStreamName } from './function-environment.js';
import { createFunctionProcess, type FunctionProcess } from './function-process.js';
import { createLogTail, type LogTail } from './log-tail.js';
import { locateBootstrap } from './locate-bootstrap.js';
import { resolveNodeBinary } from './node-releases.js';
import { runInvocation } from './run-invocation.js';
import { initStartLine, runtimeVersionOf } from './runtime-version.js';
import type { FunctionRuntime, FunctionRuntimeOptions, FunctionSpec, InvokeOptions, InvokeOutcome } from './types.js';

interface WarmProcess {
  process: FunctionProcess;
  revision: string;
  /** The log tail of the invocation in progress, when its caller asked for one. */
  tail?: LogTail;
  /** When the process last went idle (performance.now()). */
  idleSince: number;
  /** Invocations it has run. */
  invocations: number;
}

interface DeployedFunction {
  spec: FunctionSpec;
  nodeBinary: string;
  nodeMajor: number;
  /** The INIT_START line of each new environment. */
  initStart: string;
  awsSdkNodeModules: string;
  idle: WarmProcess[];
  /** Every live process, idle or busy. */
  all: Set<WarmProcess>;
  inFlight: number;
}

/**
 * Lambda's execution environments, as OS processes: each function's invocations run in processes of their
 * own under the function's Node.js release, one invocation at a time per process, warm processes reused,
 * more started for parallel invocations up to the function's reserved concurrency and the runtime's limit.
 */
export function createFunctionRuntime(options: FunctionRuntimeOptions): FunctionRuntime {
  const bootstrapPath = locateBootstrap(import.meta.url);
  const concurrencyLimit = options.concurrencyLimit ?? 100;
  const idleMs = (options.idleSeconds ?? 300) * 1000;
  // Lambda gives each invocation its trace header in the process's environment (_X_AMZN_TRACE_ID), a setenv(3)
  // of a new value each time, and glibc keeps every value setenv was given for the process's life (a getenv
  // caller may still hold the old one): some 150 bytes an invocation that are never freed. A process under
  // steady load is never idle long enough to be stopped, so after a million invocations it held 150 MB more,
  // and the first invocation to run long enough to have its memory read was killed as out of memory. A process
  // is therefore retired after this many invocations (as Lambda retires execution environments after hours):
  // at most ~7.5 MB of such values, and one cold start in 50,000 invocations.
  const maxInvocations = options.maxInvocationsPerProcess ?? 50_000;
  const registry = options.registry ?? 'https://registry.npmjs.org';
  const allowDownloads = options.allowDownloads !== false;
  const functions = new Map<string, DeployedFunction>();
  let inFlight = 0;

  // Idle processes are stopped by one sweep rather than a timer each: a timer set when a process goes idle and
  // cleared when it is taken again cost two timer-list updates per invocation. A process idle for idleMs goes
  // within a quarter of idleMs more (at most 10 s more).
  const sweepMs = Math.min(10_000, Math.max(25, Math.floor(idleMs / 4)));
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = (): void => {
    const now = performance.now();
    let idle = 0;
    for (const fn of functions.values()) {
      for (const warm of [...fn.idle]) if (now - warm.idleSince >= idleMs) stop(fn, warm);
      idle += fn.idle.length;
    }
    if (idle === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  const sweepLater = (): void => {
    if (sweeper) return;
    sweeper = setInterval(sweep, sweepMs);
    sweeper.unref();
  };

  const writeLog = (functionName: string, stream: string, message: string): void => {
    try {
      options.onLog({ functionName, stream, timestamp: Date.now(), message });
    } catch {
      // A failing log sink must not fail the function, nor the cloud.
    }
  };

  const stop = (fn: DeployedFunction, warm: WarmProcess): void => {
    fn.all.delete(warm);
    fn.idle = fn.idle.filter((w) => w !== warm);
    warm.process.kill();
  };

  const start = (fn: DeployedFunction): WarmProcess => {
    const { spec } = fn;
    const stream = newLogStreamName();
    const warm: WarmProcess = { revision: spec.revision, idleSince: 0, invocations: 0 } as WarmProcess;
    // Written before the process starts, so it comes before anything its init phase logs.
    writeLog(spec.name, stream, fn.initStart);
    warm.process = createFunctionProcess({
      nodeBinary: fn.nodeBinary,
      bootstrapPath,
      codeDir: spec.codeDir,
      memoryMb: spec.memoryMb,
      env: functionEnvironment({
        spec,
        stream,
        nodeBinary: fn.nodeBinary,
        nodeMajor: fn.nodeMajor,
        runtimeDir: dirname(bootstrapPath),
        awsSdkNodeModules: fn.awsSdkNodeModules,
      }),
      stream,
      onLine: (message) => {
        warm.tail?.push(message);
        writeLog(spec.name, stream, message);
      },
      onExit: () => {
        fn.all.delete(warm);
        fn.idle = fn.idle.filter((w) => w !== warm);
      },
    });
    fn.all.add(warm);
    return warm;
  };

  const release = (name: string, fn: DeployedFunction, warm: WarmProcess): void => {
    warm.tail = undefined;
    if (functions.get(name) !== fn || !warm.process.usable || warm.revision !== fn.spec.revision) return stop(fn, warm);
    if (idleMs <= 0 || ++warm.invocations >= maxInvocations) return stop(fn, warm);
    warm.idleSince = performance.now();
    fn.idle.push(warm);
    sweepLater();
  };

  return {
    async deploy(spec) {
      const code = await stat(spec.codeDir).catch(() => undefined);
      if (!code?.isDirectory()) throw new RuntimeSetupError(`The code of ${spec.name} is not at ${spec.codeDir}: deploy its unpacked code folder.`);
      const node = await resolveNodeBinary(spec.runtime, { cacheDir: options.cacheDir, registry, allowDownloads });
      const ownNodeModules = [
        join(spec.codeDir, 'node_modules'),
        ...spec.layerDirs.flatMap((d) => [join(d, 'nodejs', 'node_modules'), join(d, 'nodejs', `node${node.major}`, 'node_modules')]),
      ];
      const awsSdkNodeModules = await ensureAwsSdkModules(spec.codeDir, { cacheDir: options.cacheDir, registry, allowDownloads, ownNodeModules, node });
      const initStart = initStartLine(runtimeVersionOf(node.version, spec.arn.split(':')[3] ?? 'us-east-1'));
      const existing = functions.get(spec.name);
      if (existing) {
        Object.assign(existing, { spec, nodeBinary: node.path, nodeMajor: node.major, initStart, awsSdkNodeModules });
        // Idle processes of an older revision go now; busy ones finish their invocation first (release()).
        for (const warm of [...existing.idle]) if (warm.revision !== spec.revision) stop(existing, warm);
      } else {
        functions.set(spec.name, { spec, nodeBinary: node.path, nodeMajor: node.major, initStart, awsSdkNodeModules, idle: [], all: new Set(), inFlight: 0 });
      }
    },

    async invoke(name: string, payload: string, invokeOptions: InvokeOptions): Promise<InvokeOutcome> {
      const fn = functions.get(name);
      if (!fn) throw new FunctionNotDeployedError(name);
      const reserved = fn.spec.reservedConcurrency;
      if (reserved !== undefined && fn.inFlight >= reserved) {
        throw new TooManyRequestsError(
          `Rate Exceeded. ${name} is running ${fn.inFlight} invocations, its reserved concurrency (${reserved}).`,
          'ReservedFunctionConcurrentInvocationLimitExceeded',
        );
      }
      if (inFlight >= concurrencyLimit) {
        throw new TooManyRequestsError(
          `Rate Exceeded. The cloud is running ${inFlight} invocations, its concurrency limit (${concurrencyLimit}).`,
          'ConcurrentInvocationLimitExceeded',
        );
      }
      fn.inFlight += 1;
      inFlight += 1;
      let warm: WarmProcess | undefined;
      try {
        let cold = false;
        while ((warm = fn.idle.pop()) && (!warm.process.usable || warm.revision !== fn.spec.revision)) stop(fn, warm);
        if (!warm) {
          warm = start(fn);
          cold = true;
        }
        // Only an invocation whose caller wants the tail (LogType Tail) keeps one.
        const tail = invokeOptions.tail ? createLogTail() : undefined;
        warm.tail = tail;
        const { stream } = warm.process;
        return await runInvocation({
          spec: fn.spec,
          process: warm.process,
          cold,
          payload,
          options: invokeOptions,
          tail,
          log: (message) => {
            tail?.push(message);
            writeLog(name, stream, message);
          },
        });
      } finally {
        fn.inFlight -= 1;
        inFlight -= 1;
        if (warm) release(name, fn, warm);
      }
    },

    async remove(name) {
      const fn = functions.get(name);
      if (!fn) return;
      functions.delete(name);
      for (const warm of [...fn.all]) stop(fn, warm);
    },

    async close() {
      clearInterval(sweeper);
      sweeper = undefined;
      for (const [name, fn] of functions) {
        functions.delete(name);
        for (const warm of [...fn.all]) stop(fn, warm);
      }
    },
  };
}
