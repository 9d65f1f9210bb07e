import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFileOnce } from './create-file-once.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-file-once-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each process loads the module, waits for the same instant, then makes (or finds) the file and reads it.
const CHILD = `
  import { readFileSync } from 'node:fs';
  import { randomUUID } from 'node:crypto';
  const [moduleUrl, what, target, at] = process.argv.slice(1);
  const module = await import(moduleUrl);
  // Asleep until just before the instant, then spinning to it: six processes spinning for a second each would take
  // the machine's cores from whatever else runs meanwhile.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(at) - 30 - Date.now())));
  while (Date.now() < Number(at));
  let answer;
  try {
    if (what === 'file') {
      const created = module.createFileOnce(target, randomUUID() + '\\n', 0o600);
      answer = { created, value: readFileSync(target, 'utf8') };
    } else answer = { value: module.loadOrCreateAdminCredentials(target).accessKeyId };
  } catch (error) {
    answer = { error: error.message };
  }
  process.stdout.write(JSON.stringify(answer));
`;

/** Runs `count` processes that do `what` on `target` at the same moment; answers what each got. */
async function race(count: number, module: string, what: 'file' | 'admin', target: string): Promise<{ created?: boolean; value?: string; error?: string }[]> {
  const at = Date.now() + 1500; // after every process has started (they start in well under that)
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<{ created?: boolean; value?: string; error?: string }>((resolve, reject) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, new URL(module, import.meta.url).href, what, target, String(at)]);
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.on('error', reject);
          child.on('close', () => resolve(JSON.parse(out || '{"error":"no answer"}') as { value?: string; error?: string }));
        }),
    ),
  );
}

void describe('a file made once by processes starting at the same moment', () => {
  void it('is made by one of them and read whole by all, leaving no temporary file', async () => {
    for (let round = 0; round < 6; round++) {
      const folder = await mkdtemp(join(dir, 'round-'));
      const answers = await race(6, './create-file-once.js', 'file', join(folder, 'secret.key'));
      assert.deepEqual(
        answers.filter((a) => a.error),
        [],
      );
      assert.equal(answers.filter((a) => a.created).length, 1, 'one process made it');
      assert.equal(new Set(answers.map((a) => a.value)).size, 1, 'all read the same content');
      assert.match(answers[0]!.value!, /^[0-9a-f-]{36}\n$/);
      assert.deepEqual(await readdir(folder), ['secret.key']);
    }
  });

  void it("gives every process the same admin keys, never a half-written file (admin-credentials.json's first start)", async () => {
    for (let round = 0; round < 10; round++) {
      const folder = await mkdtemp(join(dir, 'admin-'));
      const answers = await race(6, './admin-credentials.js', 'admin', folder);
      assert.deepEqual(
        answers.filter((a) => a.error),
        [],
      );
      assert.equal(new Set(answers.map((a) => a.value)).size, 1);
    }
  });

  void it('answers false, leaving the file as it was, when it exists', () => {
    const file = join(dir, 'taken');
    assert.equal(createFileOnce(file, 'first', 0o600), true);
    assert.equal(createFileOnce(file, 'second', 0o600), false);
    assert.equal(readFileSync(file, 'utf8'), 'first');
  });
});
