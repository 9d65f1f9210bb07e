import { defineErrorTable } from '@forte/protocol';
import { S3_KERNEL_ERROR_STATUS } from '../../kernel/api-errors.js';

/** S3's error codes (`<Error><Code>`) and their HTTP status, besides the kernel's. */
export const S3_ERRORS = defineErrorTable('s3', {
  ...S3_KERNEL_ERROR_STATUS,
  BadDigest: 400,
  BadRequest: 400,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InvalidBucketName: 400,
  InvalidPart: 400,
  InvalidPartNumber: 416,
  InvalidPartOrder: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MetadataTooLarge: 400,
  XAmzContentSHA256Mismatch: 400,
  AccessForbidden: 403,
  NoSuchBucket: 404,
  NoSuchCORSConfiguration: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  MethodNotAllowed: 405,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  PreconditionFailed: 412,
  InvalidRange: 416,
  NotImplemented: 501,
});
