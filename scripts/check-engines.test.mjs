// Tests of scripts/check-engines.mjs: the project's own lock file, and small fabricated ones.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { engineDisagreements, versionsAdmitted } from './check-engines.mjs';

const script = new URL('./check-engines.mjs', import.meta.url).pathname;
const lockOf = (root, packages) => ({ packages: { '': { engines: { node: root } }, ...packages } });

describe('check-engines', () => {
  it('passes on the project: every locked package runs on every Node the root engines admit (npm ci warns of none)', () => {
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /locked packages agree with engines\.node/);
  });

  it('names a dependency that needs a newer Node than the root admits', () => {
    const lock = lockOf('^20.19.0 || >=22.12.0', {
      'node_modules/@nats-io/nuid': { version: '3.0.0', engines: { node: '>= 22.x' } },
      'node_modules/fine': { version: '1.0.0', engines: { node: '>=18' } },
      'node_modules/no-engines': { version: '1.0.0' },
    });
    assert.deepEqual(engineDisagreements(lock), ['@nats-io/nuid@3.0.0 requires node >= 22.x (refuses 20.19.0)']);
  });

  it('checks the lowest release of each major the root admits', () => {
    assert.deepEqual(versionsAdmitted('^20.19.0 || ^22.13.0 || >=24').slice(0, 3), ['20.19.0', '22.13.0', '24.0.0']);
    assert.deepEqual(versionsAdmitted('>=20').slice(0, 2), ['20.0.0', '21.0.0']);
  });

  it('refuses a root without engines.node, and exits 1 naming the package', () => {
    assert.deepEqual(engineDisagreements({ packages: { '': {} } }), ['the root package.json has no engines.node']);
  });
});
