import { defineErrorTable } from '@forte/protocol';
import { JSON_API_ERROR_STATUS } from '../../kernel/api-errors.js';

/**
 * The errors AppSync answers for a whole GraphQL request (`{"errors":[{"errorType"}]}` with the status),
 * besides the kernel's. Errors of single fields travel in a 200 answer's `errors` instead.
 */
export const APPSYNC_ERRORS = defineErrorTable('appsync', {
  ...JSON_API_ERROR_STATUS,
  BadRequestException: 400,
  MalformedHttpRequestException: 400,
  UnauthorizedException: 401,
  NotFoundException: 404,
});
