import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openBrowser } from './open-browser.js';

void describe('openBrowser', { skip: process.platform !== 'linux' ? 'the xdg-open path is Linux’s' : false }, () => {
  void it('hands the URL to xdg-open when there is a display, and does nothing without one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forte-open-'));
    try {
      const opened = join(dir, 'opened');
      writeFileSync(join(dir, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
      chmodSync(join(dir, 'xdg-open'), 0o755);
      const url = 'http://127.0.0.1:1/_forte/console/login?token=abc';
      assert.equal(await openBrowser(url, { PATH: dir }), false, 'no DISPLAY: no browser');
      assert.equal(existsSync(opened), false);
      assert.equal(await openBrowser(url, { PATH: dir, DISPLAY: ':0' }), true);
      // The opener runs detached: wait for what it wrote (the shell creates the file before it writes to it).
      const written = () => (existsSync(opened) ? readFileSync(opened, 'utf8') : '');
      for (let i = 0; i < 500 && written() !== url; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(written(), url);
      assert.equal(await openBrowser(url, { PATH: join(dir, 'nowhere'), DISPLAY: ':0' }), false, 'no xdg-open: no failure');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
