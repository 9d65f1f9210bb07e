import type { LambdaErrorPayload } from './function-process.js';

// The errors Lambda itself reports for an invocation (not the function's code): their types and messages as
// AWS answers them, `RequestId: <id> Error: ...`, without a trace.

/** The largest response Lambda returns from a synchronous invocation. */
export const MAX_RESPONSE_BYTES = 6291556;

/** `Task timed out after 3.00 seconds`, as the log line and the error message say it. */
export function timeoutMessage(timeoutSeconds: number): string {
  return `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

export function timeoutError(requestId: string, timeoutSeconds: number): LambdaErrorPayload {
  return { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: ${timeoutMessage(timeoutSeconds)}` };
}

const SIGNAL_TEXT: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGABRT: 'aborted (core dumped)',
  SIGSEGV: 'segmentation fault (core dumped)',
  SIGTERM: 'terminated',
  SIGBUS: 'bus error (core dumped)',
  SIGILL: 'illegal instruction (core dumped)',
  SIGFPE: 'floating point exception (core dumped)',
};

/** What Lambda says of a runtime process that ended on its own: `exit status 1`, `signal: killed`. */
export function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal: ${SIGNAL_TEXT[signal] ?? signal}`;
  return `exit status ${code ?? 0}`;
}

/** The error for a process that exited, crashed or ran out of memory during an invocation. */
export function exitError(requestId: string, exit: { code: number | null; signal: NodeJS.Signals | null; outOfMemory: boolean }): LambdaErrorPayload {
  return {
    errorType: exit.outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${exitDescription(exit.code, exit.signal)}`,
  };
}
