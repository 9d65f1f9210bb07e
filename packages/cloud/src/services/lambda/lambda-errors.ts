import { defineErrorTable } from '@forte/protocol';
import { JSON_API_ERROR_STATUS } from '../../kernel/api-errors.js';

/** Lambda's REST-JSON error codes and their status (answered with `x-amzn-errortype`), besides the kernel's. */
export const LAMBDA_ERRORS = defineErrorTable('lambda', {
  ...JSON_API_ERROR_STATUS,
  InvalidParameterValueException: 400,
  InvalidRequestContentException: 400,
  ResourceNotFoundException: 404,
  RequestTooLargeException: 413,
  TooManyRequestsException: 429,
  ResourceConflictException: 409,
  ServiceException: 500,
  /** The function's runtime could not be set up (a Node release that cannot be found or downloaded). */
  ResourceNotReadyException: 502,
});

/** The CloudWatch Logs subset's error codes (JSON 1.1, all 400 as the service answers them). */
export const LOGS_ERRORS = defineErrorTable('logs', {
  ...JSON_API_ERROR_STATUS,
  InvalidParameterException: 400,
  ResourceNotFoundException: 400,
});
