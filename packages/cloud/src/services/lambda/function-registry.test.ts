import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Kernel } from '../../kernel/types.js';
import { CodeUnavailableError } from './code-blobs.js';
import type { CodeStore } from './code-store.js';
import type { FunctionCredentialStore } from './function-credentials.js';
import { createFunctionRegistry } from './function-registry.js';
import type { FunctionStore, StoredFunction, StoredLayerVersion } from './function-store.js';
import { storedFunction } from './lambda-store.test-helper.js';
import type { FunctionRuntime, FunctionSpec } from './runtime/types.js';

const LAYER_ARN = 'arn:aws:lambda:us-east-1:123456789012:layer:legacy:1';

const fnWith = (layers: string[]): StoredFunction => storedFunction('greeter', { config: { layers }, codeSha256: 'code' });

/** A registry whose layer code is nowhere to be had (a legacy layer), each code lookup taking a few milliseconds. */
function registryWith(stored: () => StoredFunction) {
  const deployed: FunctionSpec[] = [];
  let codeAsked!: () => void;
  const deploying = new Promise<void>((resolve) => (codeAsked = resolve));
  const layer: StoredLayerVersion = {
    arn: LAYER_ARN,
    layerName: 'legacy',
    version: 1,
    codeSha256: 'layer',
    codeSize: 1,
    compatibleRuntimes: [],
    createdAt: '',
  };
  const store = {
    get: () => Promise.resolve(stored()),
    getLayerVersion: () => Promise.resolve(layer),
  } as unknown as FunctionStore;
  const code = {
    async ensure(sha256: string): Promise<string> {
      codeAsked();
      await sleep(5);
      if (sha256 === 'layer') throw new CodeUnavailableError('no zip of the layer here');
      return `/code/${sha256}`;
    },
  } as unknown as CodeStore;
  const credentials = {
    issue: () => Promise.resolve({ accessKeyId: 'AK', secretAccessKey: 'S', sessionToken: 'T', expiresAt: Date.now() + 3_600_000 }),
    revoke: () => Promise.resolve(),
  } as unknown as FunctionCredentialStore;
  const runtime = {
    deploy: (spec: FunctionSpec) => {
      deployed.push(spec);
      return Promise.resolve();
    },
  } as unknown as FunctionRuntime;
  const kernel = {
    config: { region: 'us-east-1' },
    baseUrl: () => 'http://localhost',
    jsonApis: () => [],
  } as unknown as Kernel;
  return { registry: createFunctionRegistry({ kernel, store, code, credentials, runtime, credentialsLifetimeMs: 3_600_000 }), deployed, deploying };
}

void describe('function registry', () => {
  void it('rejects an invocation with why the function cannot run when the deployment it waited for (another instance told of it) failed', async () => {
    const { registry, deploying } = registryWith(() => fnWith([LAYER_ARN]));
    const told = registry.changedElsewhere('greeter').catch((error: unknown) => error);
    await deploying;
    // An invocation arriving while that deployment is under way waits for it, then must not find nothing deployed.
    await assert.rejects(registry.ready('greeter'), (error: Error) => error instanceof CodeUnavailableError && error.message.includes(LAYER_ARN));
    assert.ok((await told) instanceof CodeUnavailableError);
  });

  void it('keeps running the code deployed before when a redeployment fails', async () => {
    let fn = fnWith([]);
    const { registry, deployed, deploying } = registryWith(() => fn);
    await registry.deploy(fn);
    assert.equal(deployed.length, 1);
    fn = fnWith([LAYER_ARN]);
    const told = registry.changedElsewhere('greeter').catch((error: unknown) => error);
    await deploying;
    await registry.ready('greeter');
    assert.ok((await told) instanceof CodeUnavailableError);
    assert.equal(deployed.length, 1, 'the earlier deployment is what runs');
  });
});
