export { createFunctionRuntime } from './function-runtime.js';
export { newLogStreamName } from './function-environment.js';
export { FunctionNotDeployedError, RuntimeSetupError, TooManyRequestsError } from './errors.js';
export type { FunctionLogLine, FunctionRuntime, FunctionRuntimeOptions, FunctionSpec, InvokeOptions, InvokeOutcome } from './types.js';
