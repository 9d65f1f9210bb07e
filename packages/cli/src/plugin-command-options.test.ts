import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pluginManifestSchema, type PluginManifest } from '@forte/protocol';
import { unknownOptions } from './command-options.js';
import { pluginCommandOptions } from './plugin-command-options.js';
import type { PluginInfo } from './plugin-registry.js';
import { BOOLEAN_FLAGS } from './parse-args.js';

const info = (manifest: PluginManifest): PluginInfo => ({ packageName: `forte-${manifest.name}`, packageVersion: '1.0.0', packageLocation: '/x', manifest });
const OFFICIAL = [
  'category-analytics',
  'category-api',
  'category-auth',
  'category-custom',
  'category-function',
  'category-hosting',
  'category-storage',
  'codegen',
];

void describe('plugin command options', () => {
  void it("a declared command accepts its options and the CLI's own, and nothing else", () => {
    const plugin = info({
      name: 'demo',
      type: 'category',
      commands: ['add', 'remove'],
      options: { add: [{ name: 'size', value: 'N', description: 'how big' }] },
    });
    const add = pluginCommandOptions(plugin, 'add');
    assert.deepEqual(
      add?.map((o) => o.name),
      ['size', 'yes', 'headless'],
    );
    assert.deepEqual(unknownOptions(add ?? [], ['size', 'yes', 'headless', 'help', 'sise']), ['sise']);
    assert.equal(pluginCommandOptions(plugin, 'remove'), undefined, 'an undeclared command takes any option');
  });

  void it('the official plugins declare options only for their own commands, and the parser reads each as declared', () => {
    for (const dir of OFFICIAL) {
      const manifest = pluginManifestSchema.parse(
        JSON.parse(readFileSync(new URL(`../../${dir}/forte-plugin.json`, import.meta.url), 'utf8')),
      ) as PluginManifest;
      for (const [command, options] of Object.entries(manifest.options ?? {})) {
        assert.ok(manifest.commands.includes(command), `${dir}: ${command} is one of its commands`);
        for (const option of options) assert.equal(BOOLEAN_FLAGS.has(option.name), option.value === undefined, `${dir} ${command} --${option.name}`);
      }
    }
  });

  void it('a manifest option needs a name and a description', () => {
    const base = { name: 'demo', type: 'category', commands: ['add'] };
    assert.ok(pluginManifestSchema.safeParse({ ...base, options: { add: [{ name: 'size', value: 'N', description: 'how big' }] } }).success);
    assert.ok(!pluginManifestSchema.safeParse({ ...base, options: { add: [{ name: 'size' }] } }).success);
    assert.ok(!pluginManifestSchema.safeParse({ ...base, options: { add: [{ name: '--size', description: 'x' }] } }).success);
  });
});
