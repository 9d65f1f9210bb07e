import { CONTROL_ERROR_STATUS, type ControlErrorCode } from '@forte/protocol';
import { ServiceError } from '../../kernel/types.js';

/** An error of the control API: the code's HTTP status comes from the one table in protocol/errors.ts. */
export function controlError(code: ControlErrorCode, message: string, cause?: unknown): ServiceError {
  return new ServiceError(code, message, CONTROL_ERROR_STATUS[code], cause === undefined ? undefined : { cause });
}
