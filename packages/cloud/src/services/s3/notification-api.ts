import { readBody } from '../../kernel/read-body.js';
import { notificationXml, parseNotificationXml } from './notification-configuration.js';
import { requireBucket, s3Arn, type S3Call } from './s3-call.js';
import { sendEmpty, sendXml } from './s3-xml.js';

/** A notification configuration document is small; S3 does not say its limit. */
const MAX_CONFIGURATION_BODY = 1024 * 1024;

/**
 * PutBucketNotificationConfiguration (`PUT /<bucket>?notification`): replaces the bucket's configuration once
 * each Lambda destination exists and lets `s3.amazonaws.com` invoke it for this bucket.
 */
export async function putBucketNotificationConfiguration(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:PutBucketNotification', s3Arn(call.bucket), 'AccessDenied');
  await requireBucket(call);
  const config = parseNotificationXml((await readBody(call.ctx.req, MAX_CONFIGURATION_BODY)).toString('utf8'));
  await call.notifications.configure(call.bucket, config);
  sendEmpty(call.ctx.res, 200);
}

/** GetBucketNotificationConfiguration (`GET /<bucket>?notification`): an empty document when none is set. */
export async function getBucketNotificationConfiguration(call: S3Call): Promise<void> {
  await call.ctx.authorize(call.principal, 's3:GetBucketNotification', s3Arn(call.bucket), 'AccessDenied');
  await requireBucket(call);
  sendXml(call.ctx.res, 'NotificationConfiguration', notificationXml(await call.notifications.configuration(call.bucket)));
}
