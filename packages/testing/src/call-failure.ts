import assert from 'node:assert/strict';

/** What an AWS SDK call failed with: the error name (the service's code), message and HTTP status. */
export interface CallFailure {
  name: string;
  message: string;
  status: number | undefined;
}

/** Awaits a call that must fail and answers how; a call that succeeds fails the test. */
export async function callFailure(promise: Promise<unknown>): Promise<CallFailure> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  assert.fail('expected the call to fail');
}
