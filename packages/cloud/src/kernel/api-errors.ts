import { JSON_API_ERROR_STATUS, defineErrorTable } from '@forte/protocol';

export { JSON_API_ERROR_STATUS };

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
