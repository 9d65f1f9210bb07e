import { newTraceParent, newTraceRoot, traceOf } from '../../../kernel/xray-trace.js';
import type { FunctionProcess, InitResult, LambdaErrorPayload, ProcessAnswer } from './function-process.js';
import type { LogTail } from './log-tail.js';
import { exitError, timeoutError, timeoutMessage } from './platform-errors.js';
import type { FunctionSpec, InvokeOptions, InvokeOutcome } from './types.js';

/** Lambda's limit for a function's init phase (loading the handler module). */
const INIT_LIMIT_MS = 10_000;

export interface InvocationInputs {
  spec: FunctionSpec;
  process: FunctionProcess;
  /** The process was started for this invocation: its init is awaited and reported. */
  cold: boolean;
  payload: string;
  options: InvokeOptions;
  /** Writes one line of Lambda's own (START, END, REPORT, ...) to the process's log stream. */
  log(message: string): void;
  /** The lines of the stream since the invocation began, Lambda's own and the function's (when `options.tail`). */
  tail: LogTail | undefined;
}

type Ending = { answer: ProcessAnswer } | { timedOut: true };

/**
 * Runs one invocation on a process with Lambda's bookkeeping: START/END/REPORT lines, the timeout (the
 * process is killed at the deadline), and the outcome, whose error payloads have Lambda's shapes.
 */
export async function runInvocation(inputs: InvocationInputs): Promise<InvokeOutcome> {
  const { spec, process: proc, options, log } = inputs;
  const { requestId } = options;
  const timeoutMs = spec.timeoutSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  const after = (ms: number): Promise<{ timedOut: true }> =>
    new Promise((resolve) => {
      timer = setTimeout(() => resolve({ timedOut: true }), ms);
    });
  let initDurationMs: number | undefined;
  let initError: string | undefined;
  let ending: Ending;
  let invokeStart = performance.now();
  try {
    // As on Lambda, the init phase has a limit of its own and the function's timeout starts with the invoke.
    const ready: InitResult = { ok: true, initDurationMs: 0 };
    const init = inputs.cold ? await Promise.race([proc.ready.then((r) => ({ init: r })), after(INIT_LIMIT_MS)]) : { init: ready };
    clearTimeout(timer);
    if ('timedOut' in init) ending = init;
    else {
      if (inputs.cold) initDurationMs = init.init.initDurationMs;
      if (!init.init.ok) {
        const errorType = init.init.answer.kind === 'error' ? init.init.answer.error.errorType : 'Runtime.ExitError';
        log(`INIT_REPORT Init Duration: ${init.init.initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${errorType}`);
        initError = errorType;
      }
      log(`START RequestId: ${requestId} Version: $LATEST`);
      invokeStart = performance.now();
      if (!init.init.ok) ending = { answer: init.init.answer };
      else {
        const message = {
          type: 'invoke',
          requestId,
          event: inputs.payload,
          deadlineMs: Date.now() + timeoutMs,
          invokedFunctionArn: spec.arn,
          clientContext: options.clientContext,
          identity: options.identity,
          traceId: traceHeaderFor(options.traceHeader),
        };
        ending = await Promise.race([proc.run(message).then((answer) => ({ answer })), after(timeoutMs)]);
      }
    }
  } finally {
    clearTimeout(timer);
  }
  const durationMs = 'timedOut' in ending ? timeoutMs : performance.now() - invokeStart;
  let payload: string | undefined;
  let failed: LambdaErrorPayload | undefined;
  let status = '';
  if ('timedOut' in ending) {
    proc.kill();
    if (initDurationMs === undefined) log(`START RequestId: ${requestId} Version: $LATEST`);
    log(`${new Date().toISOString()} ${requestId} ${timeoutMessage(spec.timeoutSeconds)}`);
    failed = timeoutError(requestId, spec.timeoutSeconds);
    status = '\tStatus: timeout';
  } else if (ending.answer.kind === 'result') {
    payload = ending.answer.payload;
  } else if (ending.answer.kind === 'error') {
    failed = ending.answer.error;
    if (initError) status = `\tStatus: error\tError Type: ${initError}`;
  } else {
    failed = exitError(requestId, ending.answer);
    log(failed.errorMessage);
    log(failed.errorType);
    status = `\tStatus: error\tError Type: ${failed.errorType}`;
  }
  payload ??= JSON.stringify(failed);
  const billedDurationMs = Math.max(1, Math.ceil(durationMs));
  const maxMemoryUsedMb = Math.min(spec.memoryMb, Math.max(1, proc.maxMemoryUsedMb()));
  log(`END RequestId: ${requestId}`);
  log(
    `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${billedDurationMs} ms\tMemory Size: ${spec.memoryMb} MB\tMax Memory Used: ${maxMemoryUsedMb} MB` +
      (initDurationMs !== undefined ? `\tInit Duration: ${initDurationMs.toFixed(2)} ms` : '') +
      status,
  );
  return {
    payload,
    ...(failed ? { functionError: 'Unhandled' as const } : {}),
    ...(options.tail && inputs.tail ? { logTail: inputs.tail.text() } : {}),
    durationMs,
    billedDurationMs,
    maxMemoryUsedMb,
  };
}

/**
 * The X-Ray trace header of an invocation, which Lambda gives every invocation (`_X_AMZN_TRACE_ID` in the function,
 * tracing on or not): the caller's trace (its `Root` and `Sampled`) when its `X-Amzn-Trace-Id` names one, else a
 * new one, not sampled; a new `Parent` either way.
 */
function traceHeaderFor(callerHeader: string | undefined): string {
  const caller = traceOf(callerHeader);
  return `Root=${caller?.root ?? newTraceRoot()};Parent=${newTraceParent()};Sampled=${caller?.sampled ?? '0'}`;
}
