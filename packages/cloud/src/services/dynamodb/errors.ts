import { JsonServiceError } from '../../kernel/json-api.js';
import { ServiceError, type TableItem } from '../../kernel/types.js';

/** DynamoDB's ValidationException: bad input, with DynamoDB's own message where clients match on it. */
export function validationError(message: string): ServiceError {
  return new ServiceError('ValidationException', message, 400);
}

/** The table (or index) named does not exist. */
export function tableNotFound(table: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `Requested resource not found: Table: ${table} not found`, 400);
}

/** A conditional write whose condition is false: nothing was written. `item` is the current item when asked for. */
export function conditionFailed(item?: TableItem): ServiceError {
  const message = 'The conditional request failed';
  return item ? new JsonServiceError('ConditionalCheckFailedException', message, 400, { Item: item }) : new ServiceError('ConditionalCheckFailedException', message, 400);
}
