import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUserError, type PluginContext, type PluginManifest, type Printer, type Prompter } from '@forte/protocol';
import { createCliContext } from './cli-context.js';
import type { PluginInfo, PluginRegistry } from './plugin-registry.js';

const quiet: Printer = { info() {}, success() {}, warn() {}, error() {}, table() {} };

function contextWith(plugins: Record<string, Record<string, unknown>>) {
  const infos: PluginInfo[] = Object.keys(plugins).map((name) => ({
    packageName: `forte-${name}`,
    packageVersion: '1.0.0',
    packageLocation: `/plugins/${name}`,
    manifest: { name, type: 'category', commands: ['add'] } satisfies PluginManifest,
  }));
  const registry = {
    find: (name: string) => infos.filter((i) => i.manifest.name === name),
    all: () => infos,
    load: async (info: PluginInfo) => plugins[info.manifest.name],
  } as unknown as PluginRegistry;
  return createCliContext({
    input: { command: 'add', plugin: 'api', subCommands: [], options: {} } as unknown as PluginContext['input'],
    print: quiet,
    prompt: { interactive: false } as unknown as Prompter,
    cwd: '/nowhere',
    home: '/nowhere',
    registry,
  });
}

void describe('invokePluginMethod', () => {
  void it("calls another category plugin's exported method with the context and the arguments", async () => {
    const calls: unknown[][] = [];
    const ctx = contextWith({
      function: {
        executeCommand: async () => {},
        addFunctionResource: async (c: PluginContext, options: { name: string }) => {
          calls.push([c === ctx, options]);
          return `${options.name}-added`;
        },
      },
    });
    assert.equal(await ctx.invokePluginMethod?.<string>('function', 'addFunctionResource', [{ name: 'beer' }]), 'beer-added');
    assert.deepEqual(calls, [[true, { name: 'beer' }]]);
  });

  void it('names the category and the method when the plugin lacks it, and the category when none is installed', async () => {
    const ctx = contextWith({ function: { executeCommand: async () => {} } });
    await assert.rejects(
      ctx.invokePluginMethod!('function', 'addFunctionResource', []),
      (e: Error) => isUserError(e) && /function category's plugin has no method addFunctionResource/.test(e.message),
    );
    await assert.rejects(ctx.invokePluginMethod!('storage', 'x', []), (e: Error) => isUserError(e) && /storage category/.test(e.message));
  });
});
