import { isForteError } from '@forte/protocol';
import type { GraphQLError } from 'graphql';
import type { Logger } from '../../kernel/logger.js';
import { AppSyncFieldError } from './field-error.js';

/** One entry of `errors[]` in AppSync's shape. */
export interface AppSyncError {
  path: ReadonlyArray<string | number> | null;
  data: unknown;
  errorType: string | null;
  errorInfo: unknown;
  locations: Array<{ line: number; column: number; sourceName: null }> | null;
  message: string;
}

/** GraphQL errors as AppSync answers them; unexpected failures are logged in full and masked. */
export function formatErrors(errors: readonly GraphQLError[], log: Logger): AppSyncError[] {
  return errors.map((error) => {
    const original = error.originalError;
    let errorType: string | null = null;
    let message = error.message;
    let data: unknown = null;
    let errorInfo: unknown = null;
    if (original instanceof AppSyncFieldError) {
      errorType = original.errorType;
      data = original.data;
      errorInfo = original.errorInfo;
    } else if (!error.path) {
      // Not from a resolver: the document or its variables do not fit the schema (scalar formats included).
      errorType = 'ValidationError';
    } else if (isForteError(original)) {
      errorType = original.status >= 500 ? 'InternalFailure' : `DynamoDB:${original.code}`;
      if (original.status >= 500) log.error('resolver failed', { path: error.path, error: original });
    } else if (original && /^Cannot return null for non-nullable field/.test(original.message)) {
      errorType = null; // graphql's own message, as AppSync answers it
    } else if (original) {
      log.error('resolver failed', { path: error.path, error: original });
      errorType = 'InternalFailure';
      message = 'An internal failure occurred while resolving this field.';
    }
    return {
      path: error.path ?? null,
      data,
      errorType,
      errorInfo,
      locations: error.locations ? error.locations.map((l) => ({ line: l.line, column: l.column, sourceName: null })) : null,
      message,
    };
  });
}
