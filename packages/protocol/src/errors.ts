/**
 * Error codes of Forte's own JSON APIs (control plane, hosting). AWS-protocol services (S3, Cognito, ...)
 * use the AWS error names of their protocol instead. Every code maps to exactly one HTTP status.
 */
export const CONTROL_ERROR_STATUS = {
  ValidationException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  /** A hosting blob upload whose body does not hash to the sha256 in its URL. */
  BadDigest: 400,
  MissingAuthenticationTokenException: 403,
  InvalidSignatureException: 403,
  IncompleteSignatureException: 403,
  UnrecognizedClientException: 403,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  DeploymentInProgressException: 409,
  ResourceInUseException: 409,
  InternalFailure: 500,
} as const;

export type ControlErrorCode = keyof typeof CONTROL_ERROR_STATUS;

/** Body of every error answered by Forte's JSON APIs (the AWS JSON 1.1 error shape). */
export interface JsonErrorBody {
  __type: string;
  message: string;
}
