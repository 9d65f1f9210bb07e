import assert from 'node:assert/strict';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { describe, it } from 'node:test';
import { resolveLambdaOptions } from './lambda-options.js';

void describe('the lambda settings', () => {
  void it("caches runtimes in FORTE_CACHE_DIR, else $XDG_CACHE_HOME/forte, else ~/.cache/forte, unless config.json's cacheDir says", () => {
    assert.equal(resolveLambdaOptions({}, { FORTE_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }).cacheDir, '/c');
    assert.equal(resolveLambdaOptions({}, { XDG_CACHE_HOME: '/x' }).cacheDir, '/x/forte');
    assert.equal(resolveLambdaOptions({}, {}).cacheDir, join(homedir(), '.cache', 'forte'));
    assert.equal(resolveLambdaOptions({ cacheDir: '/own' }, { FORTE_CACHE_DIR: '/c' }).cacheDir, '/own');
  });

  void it("defaults to Lambda's numbers", () => {
    const options = resolveLambdaOptions({}, {});
    assert.deepEqual(
      [options.concurrencyLimit, options.idleSeconds, options.logRetentionDays, options.allowDownloads, options.eventRetryDelaysSeconds],
      [100, 300, 30, true, [60, 120]],
    );
  });
});
