import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UserError } from '@forte/protocol';
import { openPluginRegistry } from './plugin-registry.js';

const work = mkdtempSync(join(tmpdir(), 'forte-registry-'));
after(() => rmSync(work, { recursive: true, force: true }));

function pkg(dir: string, name: string, manifest: unknown | undefined, main = 'index.js', source = 'export const kind = "named";'): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '2.0.0', main }));
  if (manifest !== undefined) writeFileSync(join(dir, 'forte-plugin.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, main), source);
  return dir;
}

void describe('plugin registry', () => {
  const nm = join(work, 'app', 'node_modules');
  const cliDir = join(work, 'app', 'node_modules', '@forte', 'cli', 'dist');
  mkdirSync(cliDir, { recursive: true });
  pkg(join(nm, 'forte-alpha'), 'forte-alpha', { name: 'alpha', type: 'category', commands: ['add'], aliases: ['al'] });
  pkg(join(nm, '@forte', 'beta'), '@forte/beta', { name: 'beta', type: 'provider', commands: [] }, 'index.js', 'export default { kind: "default" };');
  pkg(join(nm, '@acme', 'forte-gamma'), '@acme/forte-gamma', { name: 'gamma', type: 'util', commands: [] });
  pkg(join(nm, '@acme', 'other'), '@acme/other', { name: 'other', type: 'util', commands: [] });
  pkg(join(nm, 'forte-nomanifest'), 'forte-nomanifest', undefined);
  pkg(join(nm, 'forte-core'), 'forte-core', { name: 'push', type: 'util', commands: [] });
  const home = join(work, 'home');
  const open = () => openPluginRegistry({ home, cliDir, coreCommands: new Set(['push']) });

  void it('finds forte-*, @scope/forte-* and @forte/* packages with a valid manifest, and caches them', () => {
    const registry = open();
    assert.deepEqual(
      registry
        .all()
        .map((p) => p.manifest.name)
        .sort(),
      ['alpha', 'beta', 'gamma'],
    );
    assert.equal(registry.find('al')[0]?.packageName, 'forte-alpha');
    const stored = JSON.parse(readFileSync(join(home, 'plugins.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['pluginDirectories', 'pluginPrefixes', 'userAddedLocations', 'excluded', 'lastScanTime', 'plugins']) assert.ok(key in stored, key);
  });

  void it('loads default or named exports', async () => {
    const registry = open();
    const beta = await registry.load<{ kind: string }>(registry.find('beta')[0]!);
    const alpha = await registry.load<{ kind: string }>(registry.find('alpha')[0]!);
    assert.equal(beta.kind, 'default');
    assert.equal(alpha.kind, 'named');
  });

  void it('rescans when a plugin location vanished', () => {
    const loc = pkg(join(nm, 'forte-delta'), 'forte-delta', { name: 'delta', type: 'util', commands: [] });
    assert.equal(open().find('delta').length, 0, 'cached: not scanned yet');
    open().scan();
    assert.equal(open().find('delta').length, 1);
    rmSync(loc, { recursive: true });
    assert.equal(open().find('delta').length, 0, 'a fresh scan drops it');
  });

  void it('add takes a folder outside the plugin dirs; remove excludes discovered plugins', () => {
    const outside = pkg(join(work, 'elsewhere', 'my-plugin'), 'my-plugin', { name: 'epsilon', type: 'category', commands: ['add'] });
    const registry = open();
    assert.equal(registry.add(outside, work).manifest.name, 'epsilon');
    assert.equal(open().find('epsilon').length, 1);
    registry.remove('epsilon');
    assert.equal(open().find('epsilon').length, 0);
    registry.remove('alpha');
    assert.equal(open().find('alpha').length, 0);
    assert.equal(open().scan().excluded['alpha']?.length, 1, 'excluded survives a scan');
    assert.throws(() => registry.add(join(work, 'nothing-here'), work), UserError);
    assert.throws(() => registry.remove('ghost'), /No plugin named ghost/);
  });
});
