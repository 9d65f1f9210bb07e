import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTROL_ERRORS, isForteError, type ErrorTable } from '@forte/protocol';
import { JSON_API_ERRORS, S3_KERNEL_ERRORS } from './kernel/api-errors.js';
import { RESOURCE_ERRORS } from './kernel/resource-errors.js';
import { APPSYNC_ERRORS } from './services/appsync/appsync-errors.js';
import { COGNITO_IDENTITY_ERRORS } from './services/cognito-identity/identity-errors.js';
import { COGNITO_IDP_ERRORS } from './services/cognito-idp/cognito-error.js';
import { DYNAMODB_ERRORS } from './services/dynamodb/errors.js';
import { S3_ERRORS } from './services/s3/s3-errors.js';

/** Every code of `table` makes an error with the code's status that keeps its cause and passes the brand check. */
function checkTable<C extends string>(table: ErrorTable<C>, expected: Partial<Record<C, number>>): void {
  const cause = new Error('the first failure');
  for (const [code, status] of Object.entries(table.statuses) as Array<[C, number]>) {
    const error = table.error(code, `message of ${code}`, { cause });
    assert.equal(error.code, code);
    assert.equal(error.status, status, `${table.protocol} ${code}`);
    assert.equal(error.cause, cause);
    assert.ok(isForteError(error));
    assert.ok(status >= 400 && status <= 599, `${table.protocol} ${code}: ${status} is an error status`);
  }
  for (const [code, status] of Object.entries(expected)) assert.equal(table.statuses[code as C], status, `${table.protocol} ${code}`);
  assert.equal(table.has('NoSuchCodeAnywhere'), false);
}

// Each table keeps the kernel's codes for its protocol family, and the AWS service's statuses for its own.
void describe('error tables, one per protocol', () => {
  it('AWS JSON (the kernel)', () => {
    checkTable(JSON_API_ERRORS, {
      UnknownOperationException: 400,
      MissingAuthenticationTokenException: 403,
      RequestEntityTooLargeException: 413,
      InternalFailure: 500,
    });
    // @ts-expect-error an S3 code is not an AWS JSON code
    JSON_API_ERRORS.error('NoSuchKey', 'x');
  });

  it('S3 XML', () => {
    checkTable(S3_KERNEL_ERRORS, { SignatureDoesNotMatch: 403, AccessDenied: 403 });
    checkTable(S3_ERRORS, {
      NoSuchKey: 404,
      NoSuchBucket: 404,
      AccessDenied: 403,
      PreconditionFailed: 412,
      InvalidRange: 416,
      NotImplemented: 501,
      BucketNotEmpty: 409,
    });
    // @ts-expect-error S3 says AccessDenied, not AccessDeniedException
    S3_ERRORS.error('AccessDeniedException', 'x');
  });

  it('Cognito user pools', () => {
    checkTable(COGNITO_IDP_ERRORS, {
      NotAuthorizedException: 400,
      ResourceNotFoundException: 400,
      UserNotFoundException: 400,
      MissingAuthenticationTokenException: 403,
    });
    // @ts-expect-error user pools have no ValidationException (their clients know InvalidParameterException)
    COGNITO_IDP_ERRORS.error('ValidationException', 'x');
  });

  it('Cognito identity pools', () => {
    checkTable(COGNITO_IDENTITY_ERRORS, { NotAuthorizedException: 400, ResourceNotFoundException: 400, InvalidIdentityPoolConfigurationException: 400 });
    // @ts-expect-error not an identity pool code
    COGNITO_IDENTITY_ERRORS.error('UserNotFoundException', 'x');
  });

  it('DynamoDB', () => {
    checkTable(DYNAMODB_ERRORS, {
      ResourceNotFoundException: 400,
      ConditionalCheckFailedException: 400,
      TransactionCanceledException: 400,
      ValidationException: 400,
    });
    // @ts-expect-error not a DynamoDB code
    DYNAMODB_ERRORS.error('NoSuchKey', 'x');
  });

  it('AppSync GraphQL', () => {
    checkTable(APPSYNC_ERRORS, { UnauthorizedException: 401, NotFoundException: 404, MalformedHttpRequestException: 400 });
    // @ts-expect-error not an AppSync request error
    APPSYNC_ERRORS.error('ConditionalCheckFailedException', 'x');
  });

  it('the control, hosting and mailbox APIs', () => {
    checkTable(CONTROL_ERRORS, { ResourceNotFoundException: 404, DeploymentInProgressException: 409, ValidationException: 400 });
  });

  it('resource handlers', () => {
    checkTable(RESOURCE_ERRORS, { ValidationException: 400, NoSuchEntity: 404, ConflictException: 409 });
    // @ts-expect-error resource handlers answer no HTTP request codes
    RESOURCE_ERRORS.error('UnknownOperationException', 'x');
  });
});
