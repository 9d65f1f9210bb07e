import { UserError } from '@forte/protocol';

/** Where S3 content storage comes (the same package will deploy it). */
export const S3_PLANNED_IN = 'Forte issue 14 (storage)';

/** Content (S3) storage is not deployed yet: the walkthrough and headless requests say so. */
export const s3NotSupported = (): UserError =>
  new UserError(
    `Content storage (Images, audio, video, etc.; service S3) is not supported yet: ${S3_PLANNED_IN}.`,
    'Choose NoSQL Database for a DynamoDB table, which Forte deploys now.',
  );
