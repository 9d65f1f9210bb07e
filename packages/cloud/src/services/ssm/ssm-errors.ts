import { defineErrorTable } from '@forte/protocol';
import { JSON_API_ERROR_STATUS } from '../../kernel/api-errors.js';

/** The error codes of the SSM Parameter Store API (AWS answers each with 400), besides the kernel's. */
export const SSM_ERRORS = defineErrorTable('ssm', {
  ...JSON_API_ERROR_STATUS,
  ValidationException: 400,
  ParameterNotFound: 400,
  ParameterAlreadyExists: 400,
  ParameterLimitExceeded: 400,
  ParameterVersionNotFound: 400,
  HierarchyLevelLimitExceededException: 400,
  HierarchyTypeMismatchException: 400,
  UnsupportedParameterType: 400,
  InvalidFilterKey: 400,
  InvalidNextToken: 400,
  InvalidKeyId: 400,
});
