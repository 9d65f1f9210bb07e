import type { ControlOperation, ControlOperations } from '@forte/protocol';
import { CONSOLE_CSRF_HEADER, CONSOLE_PIPE_PATH, CONSOLE_SESSION_PATH } from '@forte/protocol/console-paths';

/** A refusal from the cloud: its error code (`__type`) and message, as the API answered them. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The session's CSRF token, sent with every call; set at sign-in or when the page finds its session. */
let csrfToken: string | undefined;
/** Called when a call finds the session gone (expired, signed out elsewhere): the app shows the sign-in. */
let onSignedOut: () => void = () => undefined;

export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

async function answerOf<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError('InvalidResponse', `The cloud answered ${response.status} with something that is not JSON.`, response.status);
  }
  if (!response.ok) {
    const { __type, message } = body as { __type?: string; message?: string };
    if (response.status === 401) {
      csrfToken = undefined;
      onSignedOut();
    }
    throw new ApiError(__type ?? 'Error', message ?? `The cloud answered ${response.status}.`, response.status);
  }
  return body as T;
}

/** Whether this browser has a session (the cookie is HttpOnly: only the cloud can tell). */
export async function resumeSession(): Promise<boolean> {
  const answer = await answerOf<{ signedIn: boolean; csrfToken?: string }>(await fetch(CONSOLE_SESSION_PATH, { credentials: 'same-origin' }));
  csrfToken = answer.csrfToken;
  return answer.signedIn && csrfToken !== undefined;
}

export async function signIn(accessKeyId: string, secretAccessKey: string): Promise<void> {
  const response = await fetch(CONSOLE_SESSION_PATH, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessKeyId, secretAccessKey }),
  });
  if (response.status === 401) {
    const { message } = (await response.json()) as { message: string };
    throw new ApiError('InvalidCredentials', message, 401);
  }
  csrfToken = (await answerOf<{ csrfToken: string }>(response)).csrfToken;
}

export async function signOut(): Promise<void> {
  await fetch(CONSOLE_SESSION_PATH, { method: 'DELETE', credentials: 'same-origin', headers: { [CONSOLE_CSRF_HEADER]: csrfToken ?? '' } });
  csrfToken = undefined;
}

/**
 * A request through the console's pipe to the cloud's route at `/<path>` (a REST API: S3 at `s3/`, Lambda at
 * `2015-03-31/functions/`), with the session's cookie and CSRF header; the answer is the caller's to read. A
 * refusal for want of a session shows the sign-in.
 */
export async function pipeFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set(CONSOLE_CSRF_HEADER, csrfToken ?? '');
  const response = await fetch(`${CONSOLE_PIPE_PATH}${path}`, { ...init, credentials: 'same-origin', headers });
  if (response.status === 401 && (response.headers.get('content-type') ?? '').includes('json')) {
    const { __type } = (await response.clone().json()) as { __type?: string };
    if (__type === 'NotSignedIn') {
      csrfToken = undefined;
      onSignedOut();
    }
  }
  return response;
}

/** The session's CSRF token, for a request `fetch` cannot make (an upload that reports its progress). */
export function sessionCsrfToken(): string {
  return csrfToken ?? '';
}

/** Reads a JSON answer of the cloud (`{__type, message}` on a refusal) or throws it as an ApiError. */
export function jsonAnswer<T>(response: Response): Promise<T> {
  return answerOf<T>(response);
}

/**
 * Calls an operation of one of the cloud's AWS JSON APIs through the console's pipe (`path` is the API's own
 * path: `control/`, `cognito-idp/`, `dynamodb/`, …; `target` its X-Amz-Target): the cloud serves it as the
 * admin, with the same checks and errors as a signed call. Every page reads and writes through here.
 */
export async function awsCall<T>(path: string, target: string, input: unknown, jsonVersion: '1.0' | '1.1' = '1.1'): Promise<T> {
  const response = await fetch(`${CONSOLE_PIPE_PATH}${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'content-type': `application/x-amz-json-${jsonVersion}`,
      'x-amz-target': target,
      [CONSOLE_CSRF_HEADER]: csrfToken ?? '',
    },
    body: JSON.stringify(input),
  });
  return answerOf<T>(response);
}

/** An operation of the control API (apps, environments, deployments), typed by its contract. */
export function control<O extends ControlOperation>(operation: O, input: ControlOperations[O]['input']): Promise<ControlOperations[O]['output']> {
  return awsCall<ControlOperations[O]['output']>('control/', `ForteControl.${operation}`, input);
}
