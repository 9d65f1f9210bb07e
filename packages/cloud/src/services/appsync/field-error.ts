/**
 * An error of one field, answered in `errors[]` with AppSync's `errorType` (the field is null, the rest
 * of the query goes on): `Unauthorized`, `ConditionalCheckFailedException`, `DynamoDB:…`, …
 */
export class AppSyncFieldError extends Error {
  override readonly name = 'AppSyncFieldError';
  constructor(
    readonly errorType: string,
    message: string,
    options?: { cause?: unknown; data?: unknown; errorInfo?: unknown },
  ) {
    super(message, options);
    this.data = options?.data ?? null;
    this.errorInfo = options?.errorInfo ?? null;
  }
  /** `errors[].data` (a conflict answers the server item there). */
  readonly data: unknown;
  readonly errorInfo: unknown;
}

/** AppSync's message for a field the caller may not touch. */
export const notAuthorized = (field: string, type: string): AppSyncFieldError =>
  new AppSyncFieldError('Unauthorized', `Not Authorized to access ${field} on type ${type}`);
