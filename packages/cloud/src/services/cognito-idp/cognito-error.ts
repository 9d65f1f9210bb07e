import { ServiceError } from '../../kernel/types.js';

/** A Cognito error answered as HTTP 400 `{"__type": code, "message"}`. */
export function cognitoError(code: string, message: string, status = 400): ServiceError {
  return new ServiceError(code, message, status);
}

/** Sign-in failures, the same for an unknown user and a wrong password. */
export function incorrectCredentials(): ServiceError {
  return cognitoError('NotAuthorizedException', 'Incorrect username or password.');
}

export function invalidParameter(message: string): ServiceError {
  return cognitoError('InvalidParameterException', message);
}

/** A wrong one-time code (also the answer for an unknown user when existence errors are prevented). */
export function codeMismatch(): ServiceError {
  return cognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
}

/** Turns a one-time code check into Cognito's errors (nothing when the code was right). */
export function assertCodeAccepted(result: 'ok' | 'mismatch' | 'expired' | 'exceeded'): void {
  if (result === 'mismatch') throw codeMismatch();
  if (result === 'expired') throw cognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
  if (result === 'exceeded') throw cognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
}
