import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { FunctionSpec } from './types.js';

/** A new log stream name, one per process, as Lambda names them: `2026/12/05/[$LATEST]<32 hex>`. */
export function newLogStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export interface EnvironmentInputs {
  spec: FunctionSpec;
  stream: string;
  nodeBinary: string;
  nodeMajor: number;
  /** Where the runtime's own code (the bootstrap) lives: LAMBDA_RUNTIME_DIR. */
  runtimeDir: string;
  /** The shared node_modules that holds the AWS SDK modules functions use without declaring them. */
  awsSdkNodeModules: string;
}

/**
 * The complete environment of a function's process: the function's variables and Lambda's own, nothing of
 * the cloud's (which may hold FORTE_SECRET_KEY). Lambda's variables win over the function's where Lambda
 * reserves them.
 */
export function functionEnvironment({ spec, stream, nodeBinary, nodeMajor, runtimeDir, awsSdkNodeModules }: EnvironmentInputs): Record<string, string> {
  // Layers first, in the template's order, then the SDK: as /opt/nodejs/... precede /var/runtime on Lambda.
  // The function's own node_modules still win, because Node looks there before NODE_PATH.
  const nodePath = [
    ...spec.layerDirs.flatMap((dir) => [join(dir, 'nodejs', `node${nodeMajor}`, 'node_modules'), join(dir, 'nodejs', 'node_modules')]),
    awsSdkNodeModules,
  ];
  const path = [dirname(nodeBinary), '/usr/local/bin', '/usr/bin', '/bin'].filter((d, i, all) => all.indexOf(d) === i);
  return {
    ...spec.environment,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: stream,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: runtimeDir,
    _HANDLER: spec.handler,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: path.join(':'),
    NODE_PATH: nodePath.join(':'),
  };
}
