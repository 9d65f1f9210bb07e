import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createFunctionRuntime } from './function-runtime.js';
import type { FunctionLogLine, FunctionRuntime, FunctionRuntimeOptions, FunctionSpec } from './types.js';

/** A runtime over a fresh cache folder, with every log line it writes kept in `logs`. */
export interface TestRuntime extends FunctionRuntime {
  logs: FunctionLogLine[];
  dir: string;
  /** Writes `files` (path → content) into a new code folder and deploys it as `name`. */
  deployCode(name: string, files: Record<string, string>, spec?: Partial<FunctionSpec>): Promise<FunctionSpec>;
  /** Invokes with a fresh request id and parses the payload. */
  call(name: string, event?: unknown): Promise<{ body: unknown; functionError?: string; requestId: string; logTail?: string }>;
  [Symbol.asyncDispose](): Promise<void>;
}

let seq = 0;

export async function createTestRuntime(options: Partial<FunctionRuntimeOptions> = {}): Promise<TestRuntime> {
  const dir = await mkdtemp(join(tmpdir(), 'forte-fn-runtime-'));
  const logs: FunctionLogLine[] = [];
  const runtime = createFunctionRuntime({ cacheDir: join(dir, 'cache'), allowDownloads: false, onLog: (line) => logs.push(line), ...options });
  const localRuntime = `nodejs${process.versions.node.split('.')[0]}.x`;
  return {
    ...runtime,
    logs,
    dir,
    async deployCode(name, files, spec = {}) {
      const codeDir = join(dir, 'code', `${name}-${++seq}`);
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(codeDir, path)), { recursive: true });
        await writeFile(join(codeDir, path), content);
      }
      const full: FunctionSpec = {
        name,
        arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
        codeDir,
        handler: 'index.handler',
        runtime: localRuntime,
        memoryMb: 128,
        timeoutSeconds: 3,
        environment: {},
        layerDirs: [],
        revision: `r${seq}`,
        ...spec,
      };
      await runtime.deploy(full);
      return full;
    },
    async call(name, event = {}) {
      const requestId = `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;
      const outcome = await runtime.invoke(name, JSON.stringify(event), { requestId, tail: true });
      return { body: JSON.parse(outcome.payload) as unknown, functionError: outcome.functionError, requestId, logTail: outcome.logTail };
    },
    async [Symbol.asyncDispose]() {
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
