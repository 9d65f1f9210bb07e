import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCorsXml } from './bucket-cors.js';
import { parseDeleteRequest } from './delete-objects.js';
import { parseCompleteRequest } from './multipart.js';

/** Runs `parse` and answers the error's code, or 'ok'; with how long it took. */
const timed = (parse: () => unknown): { code: string; ms: number } => {
  const started = performance.now();
  let code = 'ok';
  try {
    parse();
  } catch (error) {
    code = (error as { code?: string }).code ?? String(error);
  }
  return { code, ms: performance.now() - started };
};

void describe("S3's request documents, read in linear time", () => {
  void it('reads DeleteObjects, CompleteMultipartUpload and PutBucketCors documents as before', () => {
    assert.deepEqual(
      parseDeleteRequest('<Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object><Object><Key>c</Key><VersionId>1</VersionId></Object></Delete>'),
      {
        quiet: true,
        keys: ['a&b', 'c'],
      },
    );
    assert.deepEqual(
      parseCompleteRequest(
        '<CompleteMultipartUpload><Part><PartNumber> 1 </PartNumber><ETag>"abc"</ETag><ChecksumCRC32C>x==</ChecksumCRC32C></Part><Part><ETag>&quot;def&quot;</ETag><PartNumber>2</PartNumber><ChecksumCRC32>y==</ChecksumCRC32></Part></CompleteMultipartUpload>',
      ),
      [
        { partNumber: 1, etag: 'abc', checksums: { CRC32C: 'x==' } },
        { partNumber: 2, etag: 'def', checksums: { CRC32: 'y==' } },
      ],
    );
    assert.deepEqual(
      parseCorsXml(
        '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><MaxAgeSeconds>30</MaxAgeSeconds></CORSRule></CORSConfiguration>',
      ),
      [{ allowedMethods: ['GET', 'PUT'], allowedOrigins: ['*'], allowedHeaders: [], exposeHeaders: [], maxAgeSeconds: 30 }],
    );
    for (const bad of ['<Delete></Delete>', '<Delete><Object><VersionId>1</VersionId></Object></Delete>', '<Delete><Object><Key>a</Key>'])
      assert.equal(timed(() => parseDeleteRequest(bad)).code, 'MalformedXML', bad);
    assert.equal(
      timed(() => parseCompleteRequest('<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>')).code,
      'MalformedXML',
    );
  });

  void it('refuses documents of elements opened and never closed promptly (they took seconds to scan)', () => {
    const cases: Array<[string, () => unknown]> = [
      ['DeleteObjects', () => parseDeleteRequest(`<Delete>${'<Object>'.repeat(250_000)}`)],
      ['DeleteObjects keys', () => parseDeleteRequest(`<Delete><Object>${'<Key>'.repeat(300_000)}</Object></Delete>`)],
      ['CompleteMultipartUpload', () => parseCompleteRequest(`<CompleteMultipartUpload>${'<Part>'.repeat(300_000)}`)],
      ['PutBucketCors', () => parseCorsXml(`<CORSConfiguration>${'<CORSRule>'.repeat(6_000)}`)],
    ];
    for (const [name, parse] of cases) {
      const { code, ms } = timed(parse);
      assert.equal(code, 'MalformedXML', name);
      assert.ok(ms < 1000, `${name} took ${Math.round(ms)} ms`);
    }
  });
});
