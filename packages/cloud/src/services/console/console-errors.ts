import { defineErrorTable } from '@forte/protocol';
import { JSON_API_ERROR_STATUS } from '../../kernel/api-errors.js';

/** The console API's error codes, besides the kernel's; answered as `{"__type","message"}`. */
export const CONSOLE_ERRORS = defineErrorTable('forte-console', {
  ...JSON_API_ERROR_STATUS,
  ValidationException: 400,
  /** No session, or one that expired or was signed out: sign in again. */
  NotSignedIn: 401,
  /** Wrong access key id or secret. */
  InvalidCredentials: 401,
  /** A login link that is unknown, used or expired. */
  InvalidLoginLink: 401,
  /** A write without the session's CSRF header, or from another origin. */
  InvalidCsrfToken: 403,
  /** Too many failed sign-ins from this address. */
  TooManyAttempts: 429,
  MethodNotAllowed: 405,
  NotFound: 404,
});
