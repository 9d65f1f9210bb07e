import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { BadZipError, readZipEntries } from './zip-entries.js';

const zip = (files: Parameters<typeof zipSync>[0]): Uint8Array => zipSync(files);

void describe('readZipEntries (zip slip)', () => {
  void it('lists entries with their sizes, folders and Unix modes', () => {
    const entries = readZipEntries(zip({ 'index.js': Buffer.from('abc'), lib: {}, 'bin/tool': [Buffer.from('x'), { os: 3, attrs: 0o100755 * 65536 }] }));
    assert.deepEqual(
      entries.map((e) => [e.name, e.uncompressedSize, e.isDirectory]),
      [
        ['index.js', 3, false],
        ['lib/', 0, true],
        ['bin/tool', 1, false],
      ],
    );
    assert.equal((entries[2]!.unixMode ?? 0) & 0o777, 0o755);
  });

  void it('refuses .. segments, absolute paths, drive letters and symbolic links', () => {
    for (const [name, pattern] of [
      ['../x.js', /leaves its folder/],
      ['a/../../x.js', /leaves its folder/],
      ['a\\..\\x.js', /leaves its folder/],
      ['/etc/x.js', /absolute path/],
      ['C:/x.js', /absolute path/],
    ] as const) {
      assert.throws(
        () => readZipEntries(zip({ [name]: Buffer.from('x') })),
        (error: Error) => error instanceof BadZipError && pattern.test(error.message),
        name,
      );
    }
    assert.throws(() => readZipEntries(zip({ link: [Buffer.from('/etc/passwd'), { os: 3, attrs: 0o120777 * 65536 }] })), /symbolic link/);
  });

  void it('refuses what is not a zip, or a damaged one', () => {
    assert.throws(() => readZipEntries(Buffer.from('not a zip at all, just some text')), /not a zip file/);
    const whole = zip({ 'a.js': Buffer.from('x'.repeat(100)) });
    const damaged = Buffer.from(whole);
    // Point the central directory past the end of the file.
    damaged.writeUInt32LE(whole.length + 10, whole.length - 6);
    assert.throws(() => readZipEntries(damaged), /damaged/);
  });
});
