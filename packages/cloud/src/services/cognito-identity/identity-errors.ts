import { defineErrorTable } from '@forte/protocol';
import { JSON_API_ERROR_STATUS } from '../../kernel/api-errors.js';

/** The error codes of the Cognito identity pools API (AWS answers each with 400), besides the kernel's. */
export const COGNITO_IDENTITY_ERRORS = defineErrorTable('cognito-identity', {
  ...JSON_API_ERROR_STATUS,
  InvalidIdentityPoolConfigurationException: 400,
  InvalidParameterException: 400,
  NotAuthorizedException: 400,
  ResourceNotFoundException: 400,
});
