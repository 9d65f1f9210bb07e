/** Everything the runtime needs to run one function's current code. Built by the lambda service. */
export interface FunctionSpec {
  /** Physical name, e.g. `quotegenerator-main`. */
  name: string;
  arn: string;
  /** Absolute path of the unpacked code (the zip's root): LAMBDA_TASK_ROOT. */
  codeDir: string;
  /** `index.handler`, `src/app.handler`, ... */
  handler: string;
  /** Lambda's runtime identifier from the template, e.g. `nodejs22.x`. */
  runtime: string;
  memoryMb: number; // Lambda default 128
  timeoutSeconds: number; // Lambda default 3
  /** The function's variables (template Environment.Variables, the role's temporary credentials,
   * AWS_ENDPOINT_URL*, AWS_REGION...). The runtime adds Lambda's own (AWS_LAMBDA_FUNCTION_NAME, _HANDLER, ...). */
  environment: Record<string, string>;
  /** Unpacked layer roots, in the template's order (each may hold nodejs/node_modules, as /opt on Lambda). */
  layerDirs: string[];
  /** ReservedConcurrentExecutions, when the template sets it. */
  reservedConcurrency?: number;
  /** Identifies the code + configuration: a change retires warm processes of the old one. */
  revision: string;
}

export interface InvokeOptions {
  requestId: string;
  /** Decoded X-Amz-Client-Context (JSON text), if any. */
  clientContext?: string;
  /** Cognito identity for the context, if any. */
  identity?: { cognitoIdentityId: string; cognitoIdentityPoolId: string };
  /** Keep the last 4 KB of this invocation's log lines for X-Amz-Log-Result. */
  tail?: boolean;
  /** The caller's `X-Amzn-Trace-Id`, whose trace the invocation continues (a new one otherwise). */
  traceHeader?: string;
}

export interface InvokeOutcome {
  /** JSON text: the handler's result (`null` for undefined) or Lambda's error object {errorType, errorMessage, trace}. */
  payload: string;
  /** Set when the payload is an error object ('Unhandled': thrown, rejected, crashed, timed out). */
  functionError?: 'Unhandled';
  /** Last 4 KB of this invocation's log (only with `tail`). */
  logTail?: string;
  durationMs: number;
  billedDurationMs: number;
  maxMemoryUsedMb: number;
}

/** One log line of a function, as Lambda's log stream holds it (START/END/REPORT lines included). */
export interface FunctionLogLine {
  functionName: string;
  /** Log stream name, Lambda-style: `YYYY/MM/DD/[$LATEST]<32 hex>`, one per process. */
  stream: string;
  timestamp: number; // epoch ms
  message: string;
}

export interface FunctionRuntime {
  /** Makes `spec` the function's current code: resolves the Node binary for spec.runtime (may download it)
   * and the AWS SDK modules the code uses; rejects with a RuntimeSetupError (clear message naming what is
   * missing and how to get it) when it cannot. Warm processes of an older revision are retired. */
  deploy(spec: FunctionSpec): Promise<void>;
  /** Runs one invocation; resolves with the outcome (function errors included). Rejects with
   * TooManyRequestsError when the function's or the runtime's concurrency limit is reached, and with
   * FunctionNotDeployedError for an unknown name. */
  invoke(name: string, payload: string, options: InvokeOptions): Promise<InvokeOutcome>;
  /** Stops the function's processes and forgets it. */
  remove(name: string): Promise<void>;
  /** Stops every process (cloud shutdown). */
  close(): Promise<void>;
}

export interface FunctionRuntimeOptions {
  /** Where downloaded Node releases and the AWS SDK modules are cached (shared between clouds). */
  cacheDir: string;
  /** Every log line, as it is written (the service stores them). */
  onLog(line: FunctionLogLine): void;
  /** Total concurrent executions across functions (default 100, config). */
  concurrencyLimit?: number;
  /** Seconds an idle warm process is kept (default 300). */
  idleSeconds?: number;
  /**
   * Invocations a process runs before it is retired, the next one starting a fresh process (default 50,000):
   * each invocation's trace header is a setenv(3) in the process, and glibc keeps every value it was given.
   */
  maxInvocationsPerProcess?: number;
  /** Registry base URL for Node releases and the SDK (default https://registry.npmjs.org). */
  registry?: string;
  /** When false, nothing is downloaded: a missing runtime or module fails deploy() clearly. */
  allowDownloads?: boolean;
}
export declare function createFunctionRuntime(options: FunctionRuntimeOptions): FunctionRuntime;
