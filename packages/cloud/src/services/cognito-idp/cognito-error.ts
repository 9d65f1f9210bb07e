import { defineErrorTable, type ForteError } from '@forte/protocol';
import { JSON_API_ERROR_STATUS } from '../../kernel/api-errors.js';

/** The error codes of the Cognito user pools API (AWS answers each with 400), besides the kernel's. */
export const COGNITO_IDP_ERRORS = defineErrorTable('cognito-idp', {
  ...JSON_API_ERROR_STATUS,
  AliasExistsException: 400,
  CodeMismatchException: 400,
  DuplicateProviderException: 400,
  EnableSoftwareTokenMFAException: 400,
  ExpiredCodeException: 400,
  GroupExistsException: 400,
  InvalidParameterException: 400,
  InvalidPasswordException: 400,
  LimitExceededException: 400,
  NotAuthorizedException: 400,
  PasswordResetRequiredException: 400,
  ResourceNotFoundException: 400,
  TooManyRequestsException: 400,
  UserNotConfirmedException: 400,
  UserNotFoundException: 400,
  UsernameExistsException: 400,
  UserLambdaValidationException: 400,
  InvalidLambdaResponseException: 400,
  UnexpectedLambdaException: 400,
});

export type CognitoIdpErrorCode = Parameters<typeof COGNITO_IDP_ERRORS.error>[0];

/** A Cognito error answered `{"__type": code, "message"}` with its table's status. */
export function cognitoError(code: CognitoIdpErrorCode, message: string): ForteError {
  return COGNITO_IDP_ERRORS.error(code, message);
}

/** Sign-in failures, the same for an unknown user and a wrong password. */
export function incorrectCredentials(): ForteError {
  return cognitoError('NotAuthorizedException', 'Incorrect username or password.');
}

export function invalidParameter(message: string): ForteError {
  return cognitoError('InvalidParameterException', message);
}

/** A wrong one-time code (also the answer for an unknown user when existence errors are prevented). */
export function codeMismatch(): ForteError {
  return cognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
}

/** Turns a one-time code check into Cognito's errors (nothing when the code was right). */
export function assertCodeAccepted(result: 'ok' | 'mismatch' | 'expired' | 'exceeded'): void {
  if (result === 'mismatch') throw codeMismatch();
  if (result === 'expired') throw cognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
  if (result === 'exceeded') throw cognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
}
