/**
 * Forte's error model. Each protocol declares one table of its error codes and their HTTP status
 * (`defineErrorTable`); an error is made only from a table, so a code the protocol lacks is a compile error.
 * Errors are recognised by a brand (`Symbol.for('forte.error')`), never by `instanceof`: a plugin may
 * bundle its own copy of this package, whose classes are not ours but whose brand is the same.
 */

/** The brand property of every Forte error. Its value says which kind of error it is. */
export const FORTE_ERROR: unique symbol = Symbol.for('forte.error');

/** An error answered in a protocol's shape with one of that protocol's codes. */
export interface ForteErrorShape extends Error {
  readonly [FORTE_ERROR]: 'protocol';
  readonly code: string;
  readonly status: number;
  /** More response headers (a 413's `connection: close`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** More fields of the error body (S3 `<Key>`, DynamoDB's `CancellationReasons`). */
  readonly fields?: Readonly<Record<string, unknown>> | undefined;
}

/** A protocol's closed set of error codes and the HTTP status of each. */
export interface ErrorTable<C extends string> {
  /** The protocol's name, for messages (`s3`, `cognito-idp`, `forte-control`). */
  readonly protocol: string;
  readonly statuses: Readonly<Record<C, number>>;
  /** Whether `code` is one of this protocol's codes. */
  has(code: string): code is C;
  /** A new error with the code's status; it keeps `cause`. */
  error(code: C, message: string, options?: ForteErrorOptions): ForteError<C>;
}

export interface ForteErrorOptions {
  cause?: unknown;
  headers?: Record<string, string>;
  fields?: Record<string, unknown>;
}

/** An error of one protocol's table, answered with its code and status. Make it with `table.error(...)`. */
export class ForteError<C extends string = string> extends Error implements ForteErrorShape {
  override readonly name = 'ForteError';
  readonly [FORTE_ERROR] = 'protocol' as const;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly fields: Readonly<Record<string, unknown>> | undefined;

  constructor(
    table: ErrorTable<C>,
    readonly code: C,
    message: string,
    options?: ForteErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = table.statuses[code];
    this.headers = options?.headers;
    this.fields = options?.fields;
  }
}

/**
 * Declares a protocol's error table: code → HTTP status. The table is the protocol's only way to make
 * errors, so `table.error('NoSuchCode', ...)` does not compile.
 */
export function defineErrorTable<const T extends Record<string, number>>(protocol: string, statuses: T): ErrorTable<keyof T & string> {
  type C = keyof T & string;
  const frozen = Object.freeze({ ...statuses }) as Readonly<Record<C, number>>;
  const table: ErrorTable<C> = {
    protocol,
    statuses: frozen,
    has: (code: string): code is C => Object.hasOwn(frozen, code),
    error: (code, message, options) => new ForteError(table, code, message, options),
  };
  return table;
}

/** Whether `value` is an error of a Forte protocol, made by this copy of the package or any other. */
export function isForteError(value: unknown): value is ForteErrorShape {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<typeof FORTE_ERROR | 'code' | 'status' | 'message', unknown>>;
  return (
    candidate[FORTE_ERROR] === 'protocol' &&
    typeof candidate.code === 'string' &&
    typeof candidate.message === 'string' &&
    typeof candidate.status === 'number' &&
    Number.isInteger(candidate.status) &&
    candidate.status >= 400 &&
    candidate.status <= 599
  );
}

/**
 * The codes the kernel itself answers on every AWS JSON API route (signatures, bodies, authorization,
 * unknown operations; the cloud's kernel/api-errors.ts): each JSON service's table starts with these (`{ ...JSON_API_ERROR_STATUS, ... }`).
 */
export const JSON_API_ERROR_STATUS = {
  UnknownOperationException: 400,
  SerializationException: 400,
  /** Temporary credentials past their expiry (the credential provider of identity pools). */
  ExpiredToken: 400,
  MissingAuthenticationTokenException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  IncompleteSignatureException: 403,
  AccessDeniedException: 403,
  RequestEntityTooLargeException: 413,
  InternalFailure: 500,
} as const;

/**
 * Error codes of Forte's own JSON APIs (control plane, hosting deploys, mailbox) and of the resource
 * handlers a push runs. AWS-protocol services (S3, Cognito, ...) declare the AWS codes of their protocol
 * in their own tables.
 */
export const CONTROL_ERROR_STATUS = {
  ...JSON_API_ERROR_STATUS,
  ValidationException: 400,
  /** A hosting blob upload whose body does not hash to the sha256 in its URL. */
  BadDigest: 400,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  DeploymentInProgressException: 409,
  ResourceInUseException: 409,
} as const;

export type ControlErrorCode = keyof typeof CONTROL_ERROR_STATUS;

/** The control API's error table (also hosting deploys and the mailbox API). */
export const CONTROL_ERRORS = defineErrorTable('forte-control', CONTROL_ERROR_STATUS);

/** Body of every error answered by Forte's JSON APIs (the AWS JSON 1.1 error shape). */
export interface JsonErrorBody {
  __type: string;
  message: string;
}
