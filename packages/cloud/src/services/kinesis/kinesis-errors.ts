import { defineErrorTable } from '@forte/protocol';
import { JSON_API_ERROR_STATUS } from '../../kernel/api-errors.js';

/** The error codes of the Kinesis Data Streams API (AWS answers each with 400), besides the kernel's. */
export const KINESIS_ERRORS = defineErrorTable('kinesis', {
  ...JSON_API_ERROR_STATUS,
  ValidationException: 400,
  InvalidArgumentException: 400,
  ResourceNotFoundException: 400,
  ResourceInUseException: 400,
  ExpiredIteratorException: 400,
  ExpiredNextTokenException: 400,
  LimitExceededException: 400,
});
