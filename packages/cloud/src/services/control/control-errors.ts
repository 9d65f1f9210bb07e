import { CONTROL_ERRORS, type ControlErrorCode, type ForteError } from '@forte/protocol';

/** An error of the control API: the code's HTTP status comes from the one table in protocol/errors.ts. */
export function controlError(code: ControlErrorCode, message: string, cause?: unknown): ForteError {
  return CONTROL_ERRORS.error(code, message, cause === undefined ? undefined : { cause });
}
