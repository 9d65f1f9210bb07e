import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heapLeftBy } from '../../kernel/heap-growth.test-helper.js';
import { ByteLru } from './byte-lru.js';
import { cacheControlOf, isFingerprinted } from './cache-control.js';
import { contentTypeOf, isCompressible } from './content-type.js';
import { acceptsHtml, matchesIfNoneMatch, pickEncoding } from './negotiate.js';
import { siteLabelOfHost } from './site-address.js';
import { decodeSitePath, pathProblem } from './site-path.js';

void describe('hosting serving rules', () => {
  void it('recognises bundler fingerprints but not plain words', () => {
    for (const name of [
      'main.3f9a1c2b.js',
      'static/js/2.a1b2c3d4.chunk.js',
      'assets/index-BxT5a9Qz.css',
      'main.1a2b3c4d5e6f7a8b.js',
      'font.woff2-ab12cd34.woff2',
    ]) {
      assert.ok(isFingerprinted(name), name);
    }
    for (const name of ['bootstrap.min.css', 'MyComponent.js', 'polyfills.js', 'index.html', 'logo192.png', 'deadbeef.js', 'es2015.js']) {
      assert.ok(!isFingerprinted(name), name);
    }
    assert.equal(cacheControlOf('index.html'), 'no-cache');
    assert.equal(cacheControlOf('page.a1b2c3d4.html'), 'no-cache', 'HTML is revalidated even with a hash in its name');
    assert.equal(cacheControlOf('app.a1b2c3d4.js'), 'public, max-age=31536000, immutable');
    assert.equal(cacheControlOf('app.js'), 'public, max-age=0, must-revalidate');
  });

  void it('maps extensions to content types, case-insensitively', () => {
    assert.equal(contentTypeOf('a/b/c.MJS'), 'text/javascript; charset=utf-8');
    assert.equal(contentTypeOf('x.wasm'), 'application/wasm');
    assert.equal(contentTypeOf('x.svg'), 'image/svg+xml; charset=utf-8');
    assert.equal(contentTypeOf('x.woff2'), 'font/woff2');
    assert.equal(contentTypeOf('Makefile'), 'application/octet-stream');
    assert.equal(contentTypeOf('.env'), 'application/octet-stream');
    assert.ok(isCompressible('x.json'));
    assert.ok(!isCompressible('x.png'));
  });

  void it('decodes request paths once and refuses traversal', () => {
    assert.equal(decodeSitePath('/'), 'index.html');
    assert.equal(decodeSitePath(''), 'index.html');
    assert.equal(decodeSitePath('/docs/'), 'docs/index.html');
    assert.equal(decodeSitePath('/a%20b.txt'), 'a b.txt');
    assert.equal(decodeSitePath('/%252e%252e/x'), '%2e%2e/x', 'decoded exactly once');
    for (const bad of ['/../x', '/a/%2E%2E/x', '/a/..%2fx', '/a%5cb', '/a\\b', '/a%00', '/%ZZ', '/a/./b']) {
      assert.throws(
        () => decodeSitePath(bad),
        (e: unknown) => (e as { status?: number }).status === 400,
        bad,
      );
    }
    assert.equal(pathProblem('static/app.js'), undefined);
    assert.match(pathProblem('/abs.js') ?? '', /starts with "\/"/);
    assert.match(pathProblem('a//b') ?? '', /empty segment/);
    assert.match(pathProblem('dir/') ?? '', /empty segment/);
  });

  void it('remembers the decoding of short paths only: distinct long ones sent by a client are not held', async () => {
    const long = (i: number): string => `/${String(i).padStart(6, '0')}/${'a%20'.repeat(2000)}`;
    assert.equal(decodeSitePath(long(0)), `${String(0).padStart(6, '0')}/${'a '.repeat(2000)}`);
    const grown = await heapLeftBy(() => {
      for (let i = 1; i <= 2000; i++) decodeSitePath(long(i));
    });
    assert.ok(grown < 4 * 1024 * 1024, `the heap grew by ${(grown / 1048576).toFixed(1)} MB`);
  });

  void it('negotiates encodings, pages and validators', () => {
    const both = { br: true, gz: true };
    assert.equal(pickEncoding('gzip, deflate, br, zstd', both), 'br');
    assert.equal(pickEncoding('gzip', both), 'gz');
    assert.equal(pickEncoding('br;q=0, gzip;q=0.5', both), 'gz');
    assert.equal(pickEncoding('*', { br: false, gz: true }), 'gz');
    assert.equal(pickEncoding('br', { br: false, gz: true }), 'identity');
    assert.equal(pickEncoding(undefined, both), 'identity');
    assert.ok(acceptsHtml('text/html,application/xhtml+xml,*/*;q=0.8'));
    assert.ok(!acceptsHtml('*/*'));
    assert.ok(!acceptsHtml('text/html;q=0'));
    assert.ok(matchesIfNoneMatch('W/"abc"', new Set(['"abc"'])));
    assert.ok(matchesIfNoneMatch('*', new Set(['"abc"'])));
    assert.ok(!matchesIfNoneMatch('"abd"', new Set(['"abc"'])));
  });

  void it('reads site labels from Host headers', () => {
    assert.equal(siteLabelOfHost('myapp-dev.localhost:20002'), 'myapp-dev');
    assert.equal(siteLabelOfHost('My-App-Prod.LOCALHOST'), 'my-app-prod');
    assert.equal(siteLabelOfHost('localhost:20002'), undefined);
    assert.equal(siteLabelOfHost('bucket.s3.localhost:20002'), undefined);
    assert.equal(siteLabelOfHost('nodash.localhost'), undefined);
    assert.equal(siteLabelOfHost('myapp-dev.example.com'), undefined);
  });

  void it('evicts least recently used bodies past its byte budget', () => {
    const lru = new ByteLru<Buffer>(10, (b) => b.length);
    lru.set('a', Buffer.alloc(4));
    lru.set('b', Buffer.alloc(4));
    assert.ok(lru.get('a'));
    lru.set('c', Buffer.alloc(4));
    assert.equal(lru.get('b'), undefined, 'b was the least recently used');
    assert.ok(lru.get('a'));
    assert.ok(lru.get('c'));
    assert.equal(lru.bytes, 8);
    lru.set('huge', Buffer.alloc(11));
    assert.equal(lru.get('huge'), undefined, 'values over the budget are not kept');
    lru.deleteWhere((k) => k === 'a');
    assert.equal(lru.size, 1);
  });
});
