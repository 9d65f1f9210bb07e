import { defineErrorTable } from '@forte/protocol';

/**
 * The codes the kernel itself answers on every AWS JSON API route (signatures, bodies, authorization,
 * unknown operations): each JSON service's table starts with these (`{ ...JSON_API_ERROR_STATUS, ... }`).
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

/** The kernel's own errors on JSON routes. */
export const JSON_API_ERRORS = defineErrorTable('aws-json', JSON_API_ERROR_STATUS);

/** The codes the kernel answers on S3's XML routes (signatures, payload hashes, authorization). */
export const S3_KERNEL_ERROR_STATUS = {
  InvalidRequest: 400,
  InvalidArgument: 400,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  ExpiredToken: 400,
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  RequestTimeTooSkewed: 403,
  AccessDenied: 403,
  InternalError: 500,
} as const;

/** The kernel's own errors on S3 routes. */
export const S3_KERNEL_ERRORS = defineErrorTable('s3', S3_KERNEL_ERROR_STATUS);
