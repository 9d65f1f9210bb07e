import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { createCloud, type Cloud } from '../../server.js';
import { blobStoreContract } from '../blob-store-contract.js';
import { openS3BlobStore, type S3BlobStore } from './s3-blob-store.js';

// The engine against a second S3 implementation, Forte Cloud's own S3 service, which (unlike s3rver) answers
// AbortMultipartUpload and ListMultipartUploads: what a failed put leaves behind can be seen.
const MiB = 1024 * 1024;
const BUCKET = 'blob-store';
let cloud: Cloud;
let dataDir: string;
let admin: S3Client;
const stores: S3BlobStore[] = [];
let opened = 0;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'forte-s3-blobs-on-forte-'));
  cloud = await createCloud({ dataDir, port: 0, logStream: { write: () => undefined } });
  admin = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: cloud.adminCredentials });
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
after(async () => {
  stores.forEach((store) => store.close());
  admin.destroy();
  await cloud.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function open(): S3BlobStore {
  const { accessKeyId, secretAccessKey } = cloud.adminCredentials;
  const endpoint = encodeURIComponent(`${cloud.url}/s3`);
  const store = openS3BlobStore(
    `s3://${accessKeyId}:${encodeURIComponent(secretAccessKey)}@${BUCKET}/run${++opened}?endpoint=${endpoint}&forcePathStyle=true&region=us-east-1`,
  );
  stores.push(store);
  return store;
}

blobStoreContract('s3-blobs (Forte Cloud)', async () => open());

void describe('s3-blobs on Forte Cloud', () => {
  void it('aborts the multipart upload of a body that fails after its first parts: no blob, no upload left', async () => {
    const store = open();
    await store.check();
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent >= 20 * MiB) {
          this.destroy(new Error('client went away'));
          return;
        }
        sent += MiB;
        this.push(Buffer.alloc(MiB, sent / MiB));
      },
    });
    await assert.rejects(store.put('s3/cut', failing), /client went away/);
    assert.equal(await store.stat('s3/cut'), undefined);
    const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    assert.deepEqual(uploads.Uploads ?? [], [], 'the upload was aborted');
  });
});
