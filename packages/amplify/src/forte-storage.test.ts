import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { TestCloud } from '@forte/testing';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { copy, downloadData, getProperties, getUrl, list, remove, uploadData } from 'aws-amplify/storage';
import { configure, installStorageTransport, rewriteKinesisUrl, rewriteStorageUrl, storageUrl } from './index.js';
import { BUCKET, OTHER_BUCKET, PASSWORD, startStorageBackend } from './storage-backend.test-helper.js';

const MiB = 1024 * 1024;

let cloud: TestCloud;
let admin: S3Client;
let outputs: Record<string, unknown>;

/** The name and HTTP status of a refused aws-amplify Storage call. */
async function refusal(call: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.metadata?.httpStatusCode };
  }
  throw new Error('the call succeeded');
}

const text = async (path: string): Promise<string> => (await downloadData({ path }).result).body.text();

const signInAs = async (username: string): Promise<string> => {
  await signOut();
  await signIn({ username, password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  return (await fetchAuthSession()).identityId!;
};

let guestId = '';

before(async () => {
  ({ cloud, admin, outputs } = await startStorageBackend());
  await configure(outputs as never);
  await signOut();
  guestId = (await fetchAuthSession()).identityId!;
});
after(async () => {
  admin.destroy();
  await cloud.close();
});

void describe('the Storage transport of @forte/amplify', () => {
  void it("rewrites the S3 URLs aws-amplify builds for the app's buckets only, keeping the path and query as signed", () => {
    const ours = new Set(['appfiles-dev', 'media.files']);
    const cloudUrl = 'http://127.0.0.1:20002';
    assert.equal(
      rewriteStorageUrl('https://appfiles-dev.s3.us-east-1.amazonaws.com/public/a%20b.txt?x-id=GetObject', cloudUrl, ours),
      'http://127.0.0.1:20002/s3-aws/appfiles-dev.s3.us-east-1.amazonaws.com/public/a%20b.txt?x-id=GetObject',
    );
    assert.equal(
      rewriteStorageUrl('https://s3.eu-west-1.amazonaws.com/media.files/k?uploads', cloudUrl, ours),
      'http://127.0.0.1:20002/s3-aws/s3.eu-west-1.amazonaws.com/media.files/k?uploads',
    );
    // aws-amplify's DeleteObjects drops a path-style bucket: ours only when one of ours is path style.
    assert.equal(rewriteStorageUrl('https://s3.eu-west-1.amazonaws.com/?delete=', cloudUrl, ours), `${cloudUrl}/s3-aws/s3.eu-west-1.amazonaws.com/?delete=`);
    assert.equal(rewriteStorageUrl('https://s3.eu-west-1.amazonaws.com/?delete=', cloudUrl, new Set(['appfiles-dev'])), undefined);
    for (const other of [
      'https://someone-else.s3.us-east-1.amazonaws.com/public/x',
      'https://s3.us-east-1.amazonaws.com/someone.else/x',
      'http://appfiles-dev.s3.us-east-1.amazonaws.com/x',
      'https://appfiles-dev.s3.us-east-1.amazonaws.com:8443/x',
      'https://appfiles-dev.s3.us-east-1.amazonaws.com.evil.example/x',
      'https://appfiles-dev.example.com/x',
      'https://cognito-idp.us-east-1.amazonaws.com/',
      'not a url',
    ]) {
      assert.equal(rewriteStorageUrl(other, cloudUrl, ours), undefined, other);
    }
  });

  void it("rewrites the Kinesis URL aws-amplify's analytics builds, and nothing like it", () => {
    const cloudUrl = 'http://127.0.0.1:20002';
    assert.equal(rewriteKinesisUrl('https://kinesis.eu-west-1.amazonaws.com/', cloudUrl), `${cloudUrl}/kinesis-aws/kinesis.eu-west-1.amazonaws.com/`);
    for (const other of [
      'https://kinesis.eu-west-1.amazonaws.com/other',
      'https://kinesis.eu-west-1.amazonaws.com/?x=1',
      'http://kinesis.eu-west-1.amazonaws.com/',
      'https://kinesis.eu-west-1.amazonaws.com:8443/',
      'https://kinesis.eu-west-1.amazonaws.com.evil.example/',
      'https://firehose.eu-west-1.amazonaws.com/',
      'not a url',
    ])
      assert.equal(rewriteKinesisUrl(other, cloudUrl), undefined, other);
  });

  void it('sends fetch calls (URL, string or Request) for our buckets to the cloud without the AWS Host header; others pass through', async () => {
    const seen: { method?: string; url?: string; host?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, host: req.headers.host, body: Buffer.concat(chunks).toString() });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const capture = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      installStorageTransport(`http://${capture}/`, ['capture-bucket']);
      const aws = 'https://capture-bucket.s3.us-east-1.amazonaws.com';
      await fetch(new URL(`${aws}/a.txt?x-id=GetObject`), { headers: { host: 'capture-bucket.s3.us-east-1.amazonaws.com' } });
      await fetch(`${aws}/b.txt`, { method: 'PUT', body: 'put body' });
      await fetch(new Request(`${aws}/c.txt`, { method: 'POST', body: 'request body' }));
      assert.deepEqual(seen, [
        { method: 'GET', url: '/s3-aws/capture-bucket.s3.us-east-1.amazonaws.com/a.txt?x-id=GetObject', host: capture, body: '' },
        { method: 'PUT', url: '/s3-aws/capture-bucket.s3.us-east-1.amazonaws.com/b.txt', host: capture, body: 'put body' },
        { method: 'POST', url: '/s3-aws/capture-bucket.s3.us-east-1.amazonaws.com/c.txt', host: capture, body: 'request body' },
      ]);
      // Any other URL goes to fetch as it is (this one fails at once, on its port 0, without reaching the capture).
      await assert.rejects(fetch('https://other-bucket.s3.us-east-1.amazonaws.com:0/x'));
      assert.equal(seen.length, 3);
    } finally {
      installStorageTransport(cloud.url, [BUCKET]);
      await new Promise((resolve) => server.close(resolve));
    }
  });

  void it("wraps a browser's XMLHttpRequest.open once, however often it is installed", () => {
    const g = globalThis as { XMLHttpRequest?: unknown };
    const opened: string[] = [];
    class BrowserXhr {
      open(method: string, url: string | URL): void {
        opened.push(`${method} ${String(url)}`);
      }
    }
    g.XMLHttpRequest = BrowserXhr;
    try {
      installStorageTransport(cloud.url, [BUCKET]);
      const wrapped = BrowserXhr.prototype.open;
      installStorageTransport(cloud.url, [BUCKET]);
      assert.equal(BrowserXhr.prototype.open, wrapped, 'not wrapped twice');
      new BrowserXhr().open('PUT', `https://${BUCKET}.s3.us-east-1.amazonaws.com/public/x?x-id=PutObject`);
      new BrowserXhr().open('GET', 'https://example.com/x');
      assert.deepEqual(opened, [`PUT ${cloud.url}/s3-aws/${BUCKET}.s3.us-east-1.amazonaws.com/public/x?x-id=PutObject`, 'GET https://example.com/x']);
    } finally {
      delete g.XMLHttpRequest;
    }
  });

  void it("gives the src and href of a browser's elements the cloud URL, for the app's buckets only", () => {
    const g = globalThis as { Element?: unknown; HTMLImageElement?: unknown };
    class Element {
      attributes = new Map<string, string>();
      setAttribute(name: string, value: string): void {
        this.attributes.set(name, value);
      }
    }
    class HTMLImageElement extends Element {
      set src(value: string) {
        this.setAttribute('src', value);
      }
      get src(): string {
        return this.attributes.get('src') ?? '';
      }
    }
    g.Element = Element;
    g.HTMLImageElement = HTMLImageElement;
    try {
      installStorageTransport(cloud.url, [BUCKET]);
      installStorageTransport(cloud.url, [BUCKET]);
      const aws = `https://${BUCKET}.s3.us-east-1.amazonaws.com/public/p.png?X-Amz-Signature=abc`;
      const ours = `${cloud.url}/s3-aws/${BUCKET}.s3.us-east-1.amazonaws.com/public/p.png?X-Amz-Signature=abc`;
      const img = new HTMLImageElement();
      img.src = aws;
      assert.equal(img.src, ours);
      const link = new Element();
      link.setAttribute('HREF', aws);
      link.setAttribute('data-url', aws);
      link.setAttribute('src', 'https://example.com/p.png');
      assert.deepEqual(Object.fromEntries(link.attributes), { HREF: ours, 'data-url': aws, src: 'https://example.com/p.png' });
    } finally {
      delete g.Element;
      delete g.HTMLImageElement;
    }
  });

  void it('hands a page the cloud URL of a presigned getUrl result', async () => {
    await signOut();
    await uploadData({ path: 'public/pic.txt', data: 'a picture' }).result;
    const { url } = await getUrl({ path: 'public/pic.txt' });
    assert.equal(url.host, `${BUCKET}.s3.us-east-1.amazonaws.com`, 'aws-amplify presigns for the AWS host');
    const forPage = storageUrl(url);
    assert.ok(forPage.startsWith(`${cloud.url}/s3-aws/${BUCKET}.s3.us-east-1.amazonaws.com/public/pic.txt?`), forPage);
    assert.equal(await (await fetch(forPage)).text(), 'a picture');
    assert.equal(storageUrl('https://example.com/x.png'), 'https://example.com/x.png');
  });
});

void describe('aws-amplify Storage (unmodified) against the cloud: guests', () => {
  void it('uploads, reads properties, downloads and copies in public/ with the path API', async () => {
    await signOut();
    const uploaded = await uploadData({
      path: 'public/notes/hello.txt',
      data: 'hello from a guest',
      options: { contentType: 'text/plain', metadata: { owner: 'guest' } },
    }).result;
    assert.equal(uploaded.path, 'public/notes/hello.txt');
    assert.equal(uploaded.size, 18);
    assert.match(uploaded.eTag ?? '', /^"[0-9a-f]{32}"$/);

    const properties = await getProperties({ path: 'public/notes/hello.txt' });
    assert.equal(properties.size, 18);
    assert.equal(properties.contentType, 'text/plain');
    assert.deepEqual(properties.metadata, { owner: 'guest' });
    assert.equal(properties.eTag, uploaded.eTag);

    const downloaded = await downloadData({ path: 'public/notes/hello.txt' }).result;
    assert.equal(await downloaded.body.text(), 'hello from a guest');
    assert.equal(downloaded.contentType, 'text/plain');

    await copy({ source: { path: 'public/notes/hello.txt' }, destination: { path: 'public/notes/copy.txt' } });
    assert.equal(await text('public/notes/copy.txt'), 'hello from a guest');
    assert.deepEqual(await refusal(getProperties({ path: 'public/notes/none.txt' })), { name: 'NotFound', status: 404 });
  });

  void it('uses the older key + accessLevel API (guest → public/, protected/<identityId>/)', async () => {
    await signOut();
    await uploadData({ key: 'legacy.txt', data: 'legacy', options: { accessLevel: 'guest' } }).result;
    assert.equal(await text('public/legacy.txt'), 'legacy');
    const got = await downloadData({ key: 'legacy.txt' }).result;
    assert.equal(got.key, 'legacy.txt');
    assert.equal(await got.body.text(), 'legacy');
    const props = await getProperties({ key: 'legacy.txt', options: { accessLevel: 'guest' } });
    assert.equal(props.size, 6);
    const { url } = await getUrl({ key: 'legacy.txt' });
    assert.equal(await (await fetch(url)).text(), 'legacy', 'a presigned URL fetched in Node goes to the cloud');
  });

  void it('is refused what the guest role does not allow: private/, another identity, deleting, listing', async () => {
    await signOut();
    assert.deepEqual(await refusal(uploadData({ path: `private/${guestId}/x.txt`, data: 'x' }).result), { name: 'AccessDenied', status: 403 });
    assert.deepEqual(await refusal(uploadData({ key: 'x.txt', data: 'x', options: { accessLevel: 'protected' } }).result), {
      name: 'AccessDenied',
      status: 403,
    });
    await uploadData({ path: 'public/keep.txt', data: 'keep' }).result;
    assert.deepEqual(await refusal(remove({ path: 'public/keep.txt' }).result), { name: 'AccessDenied', status: 403 });
    assert.deepEqual(await refusal(list({ path: 'public/' })), { name: 'AccessDenied', status: 403 });
    assert.deepEqual(await refusal(copy({ source: { path: 'public/keep.txt' }, destination: { path: 'private/x/keep.txt' } })), {
      name: 'AccessDenied',
      status: 403,
    });
    assert.equal(await text('public/keep.txt'), 'keep', 'nothing was removed');
  });

  void it('gets presigned URLs with expiresIn and validateObjectExistence; the cloud enforces what they sign', async () => {
    await signOut();
    await uploadData({ path: 'public/signed.txt', data: 'signed' }).result;
    const before = Date.now();
    const { url, expiresAt } = await getUrl({ path: 'public/signed.txt', options: { expiresIn: 60, validateObjectExistence: true } });
    assert.equal(url.searchParams.get('X-Amz-Expires'), '60');
    assert.ok(Math.abs(expiresAt.getTime() - before - 60_000) < 5_000);
    assert.equal(await (await fetch(url)).text(), 'signed');
    assert.deepEqual(await refusal(getUrl({ path: 'public/missing.txt', options: { validateObjectExistence: true } })), {
      name: 'NotFound',
      status: 404,
    });
    // A presigned URL for a private object of someone else: presigning is local, the cloud refuses it.
    const { url: forbidden } = await getUrl({ path: 'private/someone/secret.txt' });
    assert.equal((await fetch(forbidden)).status, 403);
  });
});

void describe('aws-amplify Storage (unmodified) against the cloud: signed-in users', () => {
  let alice = '';
  let bob = '';
  before(async () => {
    bob = await signInAs('bob');
    await uploadData({ path: ({ identityId }) => `private/${identityId}/diary.txt`, data: "bob's diary" }).result;
    await uploadData({ key: 'card.txt', data: "bob's card", options: { accessLevel: 'protected' } }).result;
    alice = await signInAs('alice');
  });

  void it('writes and reads its own private/ and protected/ files with both APIs', async () => {
    await signInAs('alice');
    await uploadData({ path: ({ identityId }) => `private/${identityId}/a.txt`, data: 'mine' }).result;
    assert.equal(await text(`private/${alice}/a.txt`), 'mine');
    await uploadData({ key: 'b.txt', data: 'also mine', options: { accessLevel: 'private' } }).result;
    assert.equal(await (await downloadData({ key: 'b.txt', options: { accessLevel: 'private' } }).result).body.text(), 'also mine');
    await uploadData({ key: 'shared.txt', data: 'for all', options: { accessLevel: 'protected' } }).result;
    assert.equal(await text(`protected/${alice}/shared.txt`), 'for all');
    await copy({ source: { key: 'b.txt', accessLevel: 'private' }, destination: { key: 'b-copy.txt', accessLevel: 'private' } });
    assert.equal(await text(`private/${alice}/b-copy.txt`), 'also mine');
    await remove({ key: 'b-copy.txt', options: { accessLevel: 'private' } }).result;
    assert.deepEqual(await refusal(getProperties({ path: `private/${alice}/b-copy.txt` })), { name: 'NotFound', status: 404 });
  });

  void it("reads another user's protected files but not their private ones, and writes to neither", async () => {
    await signInAs('alice');
    const card = await downloadData({ key: 'card.txt', options: { accessLevel: 'protected', targetIdentityId: bob } }).result;
    assert.equal(await card.body.text(), "bob's card");
    assert.deepEqual(await refusal(downloadData({ path: `private/${bob}/diary.txt` }).result), { name: 'AccessDenied', status: 403 });
    // A refused HEAD has no body to name the error: aws-amplify names it by its status, as with AWS.
    assert.deepEqual(await refusal(getProperties({ path: `private/${bob}/diary.txt` })), { name: '403', status: 403 });
    assert.deepEqual(await refusal(uploadData({ path: `protected/${bob}/card.txt`, data: 'forged' }).result), { name: 'AccessDenied', status: 403 });
    assert.deepEqual(await refusal(remove({ path: `protected/${bob}/card.txt` }).result), { name: 'AccessDenied', status: 403 });
    assert.deepEqual(await refusal(copy({ source: { path: `private/${bob}/diary.txt` }, destination: { path: `private/${alice}/stolen.txt` } })), {
      name: 'AccessDenied',
      status: 403,
    });
    await signInAs('bob');
    assert.equal(await text(`private/${bob}/diary.txt`), "bob's diary", 'untouched');
  });

  void it('lists with path and prefix, subpathStrategy, pageSize + nextToken and listAll', async () => {
    await signInAs('alice');
    for (const name of ['l/1.txt', 'l/2.txt', 'l/3.txt', 'l/sub/4.txt', 'l/sub/5.txt']) await uploadData({ path: `public/${name}`, data: name }).result;
    const all = await list({ path: 'public/l/', options: { listAll: true } });
    assert.deepEqual(
      all.items.map((i) => i.path),
      ['public/l/1.txt', 'public/l/2.txt', 'public/l/3.txt', 'public/l/sub/4.txt', 'public/l/sub/5.txt'],
    );
    assert.equal(all.items[0]?.size, 7);
    const flat = await list({ path: 'public/l/', options: { subpathStrategy: { strategy: 'exclude' } } });
    assert.deepEqual(
      flat.items.map((i) => i.path),
      ['public/l/1.txt', 'public/l/2.txt', 'public/l/3.txt'],
    );
    assert.deepEqual(flat.excludedSubpaths, ['public/l/sub/']);
    const first = await list({ path: 'public/l/', options: { pageSize: 2 } });
    assert.equal(first.items.length, 2);
    assert.ok(first.nextToken);
    const second = await list({ path: 'public/l/', options: { pageSize: 2, nextToken: first.nextToken } });
    assert.deepEqual(
      second.items.map((i) => i.path),
      ['public/l/3.txt', 'public/l/sub/4.txt'],
    );
    // The older prefix + accessLevel API: keys relative to public/.
    const legacy = await list({ prefix: 'l/sub/', options: { accessLevel: 'guest', listAll: true } });
    assert.deepEqual(
      legacy.items.map((i) => i.key),
      ['l/sub/4.txt', 'l/sub/5.txt'],
    );
    const mine = await list({ prefix: '', options: { accessLevel: 'private', listAll: true } });
    assert.ok(mine.items.some((i) => i.key === 'a.txt' || i.key === 'b.txt'));
  });

  void it('removes a folder (a list + DeleteObjects) where the role allows it', async () => {
    await signInAs('alice');
    for (const name of ['1', '2']) await uploadData({ path: `private/${alice}/folder/${name}.txt`, data: name }).result;
    await remove({ path: `private/${alice}/folder/` }).result;
    assert.deepEqual((await list({ path: `private/${alice}/folder/` })).items, []);
  });
});

void describe('aws-amplify Storage (unmodified): multipart uploads over 5 MiB', () => {
  // aws-amplify hashes the upload options of a multipart upload with the browser's FileReader, which Node 20
  // lacks: without one, uploads over 5 MiB fail in Node whatever the endpoint. This one reads as browsers do.
  before(() => {
    (globalThis as { FileReader?: unknown }).FileReader ??= class {
      result: ArrayBuffer | null = null;
      error: unknown = null;
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onabort: (() => void) | null = null;
      readAsArrayBuffer(blob: Blob): void {
        blob.arrayBuffer().then(
          (buffer) => {
            this.result = buffer;
            this.onload?.();
          },
          (error: unknown) => {
            this.error = error;
            this.onerror?.();
          },
        );
      }
    };
  });

  /** Waits until the cloud holds a multipart upload for `key` (or none, with `open` false). */
  const uploadOpen = async (key: string, open = true): Promise<boolean> => {
    for (let i = 0; i < 300; i++) {
      const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
      if ((uploads.Uploads ?? []).some((u) => u.Key === key) === open) return true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return false;
  };

  void it('uploads in parts, pauses and resumes the same upload, and the object is whole', async () => {
    await signInAs('alice');
    const data = new Uint8Array(11 * MiB).map((_, i) => i % 251);
    const task = uploadData({ path: 'public/big.bin', data });
    assert.ok(await uploadOpen('public/big.bin'), 'the multipart upload began');
    task.pause();
    assert.equal(task.state, 'PAUSED');
    task.resume();
    const result = await task.result;
    assert.match(result.eTag ?? '', /-3"$/, 'three parts of 5, 5 and 1 MiB');
    const head = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'public/big.bin' }));
    assert.equal(head.ContentLength, data.length);
    const back = new Uint8Array(await (await (await downloadData({ path: 'public/big.bin' }).result).body.blob()).arrayBuffer());
    assert.ok(Buffer.from(back).equals(Buffer.from(data)));
    assert.ok(await uploadOpen('public/big.bin', false), 'no upload is left open');
  });

  void it('cancels: the upload is aborted in the cloud and no object appears', async () => {
    await signInAs('alice');
    const task = uploadData({ path: 'public/cancelled.bin', data: new Uint8Array(16 * MiB) });
    assert.ok(await uploadOpen('public/cancelled.bin'), 'the multipart upload began');
    task.cancel();
    assert.equal((await refusal(task.result)).name, 'CanceledError');
    assert.ok(await uploadOpen('public/cancelled.bin', false), 'AbortMultipartUpload reached the cloud');
    assert.deepEqual(await refusal(getProperties({ path: 'public/cancelled.bin' })), { name: 'NotFound', status: 404 });
  });
});

void describe('the /s3-aws/ route of the cloud', () => {
  void it('verifies the signature against the host in the path: another host or bucket does not match', async () => {
    await signOut();
    await admin.send(new PutObjectCommand({ Bucket: OTHER_BUCKET, Key: 'public/pic.txt', Body: 'other' }));
    const { url } = await getUrl({ path: 'public/pic.txt' });
    const rewritten = storageUrl(url);
    const moved = rewritten.replace(`/s3-aws/${BUCKET}.`, `/s3-aws/${OTHER_BUCKET}.`);
    const refused = await fetch(moved);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
    const region = await fetch(rewritten.replace('.s3.us-east-1.', '.s3.eu-west-1.'));
    assert.equal(region.status, 403, 'the host is signed, region and all');
    const direct = await fetch(`${cloud.url}/s3/${BUCKET}/public/pic.txt${url.search}`);
    assert.equal(direct.status, 403, 'signed for the AWS host, the URL does not work at the path-style address');
  });

  void it('refuses hosts that are not AWS S3 host names with a 400 in S3 shape', async () => {
    for (const host of ['example.com', `${BUCKET}.s3.localhost`, `${BUCKET}.s3.us-east-1.amazonaws.com.evil.example`]) {
      const response = await fetch(`${cloud.url}/s3-aws/${host}/public/pic.txt`);
      assert.equal(response.status, 400, host);
      assert.match(await response.text(), /<Code>InvalidURI<\/Code>/);
    }
  });
});
