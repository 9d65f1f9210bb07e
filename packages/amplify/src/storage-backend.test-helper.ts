import { S3Client } from '@aws-sdk/client-s3';
import { RESOURCE_TYPES } from '@forte/protocol';
import { createTestIdentityPool, createTestUsers, resourceContext, startTestCloud, type TestCloud } from '@forte/testing';

/** The app's bucket (in the outputs) and a bucket of the same cloud the app does not name. */
export const BUCKET = 'appfiles-dev';
export const OTHER_BUCKET = 'elsewhere-dev';
/** The password of the users `alice` and `bob` (createTestUsers gives it). */
export const PASSWORD = 'Correct-Horse-9';

const ctx = (cloud: TestCloud, logicalId: string) => resourceContext(cloud, logicalId, 'amplify-app1-dev') as never;

const arn = (path: string): string => `arn:aws:s3:::${BUCKET}/${path}`;
const SUB = '${cognito-identity.amazonaws.com:sub}';

/** The app's analytics stream (Amplify's analytics category, Kinesis), which guests and signed-in users may put records into. */
export const STREAM = 'appevents-dev';
const putRecords = { Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: `arn:aws:kinesis:us-east-1:*:stream/${STREAM}` };

/**
 * The storage category's role policies for "auth and guest users" with CRUD for signed-in users and read +
 * create for guests (Amplify's Gen 1 S3 template: public/, protected/<sub>/, private/<sub>/, uploads/).
 * Listing is granted to signed-in users only here, without Amplify's `s3:prefix` condition, so that a
 * refused list is part of the matrix.
 */
const authPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
      Resource: [arn('public/*'), arn(`protected/${SUB}/*`), arn(`private/${SUB}/*`)],
    },
    { Effect: 'Allow', Action: ['s3:PutObject'], Resource: [arn('uploads/*')] },
    { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [arn('protected/*')] },
    { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${BUCKET}`] },
    putRecords,
    // Not in Amplify's policies: without it a cancelled multipart upload is refused its abort, on AWS as here.
    { Effect: 'Allow', Action: ['s3:AbortMultipartUpload'], Resource: [arn('public/*')] },
  ],
};
const guestPolicy = {
  Version: '2012-10-17',
  Statement: [
    putRecords,
    { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: [arn('public/*')] },
    { Effect: 'Allow', Action: ['s3:PutObject'], Resource: [arn('uploads/*')] },
    { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [arn('protected/*')] },
  ],
};

/** A cloud with a storage backend as Amplify deploys one, and the amplify_outputs.json of its app. */
export interface StorageBackend {
  cloud: TestCloud;
  /** An S3 client with the admin keys (to look at what the app did). */
  admin: S3Client;
  outputs: Record<string, unknown>;
}

/**
 * Starts a cloud with the app's bucket and analytics stream, a user pool with `alice` and `bob`, and an identity
 * pool that gives guests and signed-in users the roles above.
 */
export async function startStorageBackend(): Promise<StorageBackend> {
  const cloud = await startTestCloud();
  const handler = (type: string) => cloud.kernel.resourceHandler(type)!;
  await handler(RESOURCE_TYPES.bucket).create({ BucketName: BUCKET }, ctx(cloud, 'S3Bucket'));
  await handler(RESOURCE_TYPES.bucket).create({ BucketName: OTHER_BUCKET }, ctx(cloud, 'OtherBucket'));
  await handler('AWS::Kinesis::Stream').create({ Name: STREAM, ShardCount: 1 }, ctx(cloud, 'KinesisStream'));
  const users = await createTestUsers(cloud, { alice: [], bob: [] });
  const identityPoolId = await createTestIdentityPool(cloud, users, { authenticated: { policy: authPolicy }, unauthenticated: { policy: guestPolicy } });
  const admin = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  const outputs = {
    version: '1.4',
    auth: {
      aws_region: 'us-east-1',
      user_pool_id: users.userPoolId,
      user_pool_client_id: users.clientId,
      identity_pool_id: identityPoolId,
      unauthenticated_identities_enabled: true,
    },
    storage: { aws_region: 'us-east-1', bucket_name: BUCKET },
    custom: { forte: { endpoint: cloud.url } },
  };
  return { cloud, admin, outputs };
}
