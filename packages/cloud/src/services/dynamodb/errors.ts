import { defineErrorTable, type ForteError } from '@forte/protocol';
import { JSON_API_ERROR_STATUS } from '../../kernel/api-errors.js';
import type { TableItem } from '../../kernel/types.js';

/** DynamoDB's error codes (all 400, as DynamoDB answers them), besides the kernel's. */
export const DYNAMODB_ERRORS = defineErrorTable('dynamodb', {
  ...JSON_API_ERROR_STATUS,
  ConditionalCheckFailedException: 400,
  IdempotentParameterMismatchException: 400,
  LimitExceededException: 400,
  ResourceInUseException: 400,
  ResourceNotFoundException: 400,
  TransactionCanceledException: 400,
  ValidationException: 400,
});

/** DynamoDB's ValidationException: bad input, with DynamoDB's own message where clients match on it. */
export function validationError(message: string, cause?: unknown): ForteError {
  return DYNAMODB_ERRORS.error('ValidationException', message, cause === undefined ? undefined : { cause });
}

/** The table (or index) named does not exist. */
export function tableNotFound(table: string): ForteError {
  return DYNAMODB_ERRORS.error('ResourceNotFoundException', `Requested resource not found: Table: ${table} not found`);
}

/** A conditional write whose condition is false: nothing was written. `item` is the current item when asked for. */
export function conditionFailed(item?: TableItem): ForteError {
  return DYNAMODB_ERRORS.error('ConditionalCheckFailedException', 'The conditional request failed', item ? { fields: { Item: item } } : undefined);
}
