// The runtime's own failures, which the lambda service maps to Lambda's API errors. A function's own errors
// (thrown, timed out, crashed) are not these: they are outcomes, answered as Lambda's error payloads.

/** The function's reserved concurrency or the runtime's concurrency limit is in use (Lambda's TooManyRequestsException). */
export class TooManyRequestsError extends Error {
  override name = 'TooManyRequestsError';
  constructor(
    message: string,
    /** Which limit was reached: Lambda's `Reason` field. */
    readonly reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded',
  ) {
    super(message);
  }
}

/** invoke() named a function that was never deployed or was removed (Lambda's ResourceNotFoundException). */
export class FunctionNotDeployedError extends Error {
  override name = 'FunctionNotDeployedError';
  constructor(readonly functionName: string) {
    super(`Function not found: ${functionName} is not deployed to this cloud's function runtime.`);
  }
}

/** deploy() cannot prepare what the function needs (its Node.js release, an AWS SDK module); the message says how to fix it. */
export class RuntimeSetupError extends Error {
  override name = 'RuntimeSetupError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
