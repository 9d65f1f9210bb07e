import type { FunctionRuntime, FunctionRuntimeOptions } from './runtime/types.js';

/** The runtime of a cloud built without one: every deployment fails naming why. */
export function unavailableRuntime(_options: FunctionRuntimeOptions): FunctionRuntime {
  const refuse = (): Promise<never> =>
    Promise.reject(Object.assign(new Error('This Forte Cloud has no function runtime: functions cannot run.'), { name: 'RuntimeSetupError' }));
  return {
    deploy: refuse,
    invoke: () => Promise.reject(Object.assign(new Error('no function is deployed'), { name: 'FunctionNotDeployedError' })),
    remove: async () => undefined,
    close: async () => undefined,
  };
}
