import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUserError } from '@forte/protocol';
import { jsonFlag, parseArgs, resolveCommand } from './parse-args.js';

const core = new Set(['init', 'push', 'status', 'env']);
const plugins = new Set(['hosting', 'api']);
const resolve = (argv: string[]) =>
  resolveCommand(
    argv,
    parseArgs(argv),
    (w) => core.has(w),
    (w) => plugins.has(w),
  );

void describe('parseArgs', () => {
  void it('splits words, --key value, --flag and short flags', () => {
    assert.deepEqual(parseArgs(['env', 'get', '--name', 'dev', '--json', '-y']), { words: ['env', 'get'], options: { name: 'dev', json: true, yes: true } });
    assert.deepEqual(parseArgs(['--key=a=b', '-h', '-v']).options, { key: 'a=b', help: true, version: true });
  });

  void it('boolean flags never swallow the next word', () => {
    assert.deepEqual(parseArgs(['push', '-y', 'hosting']), { words: ['push', 'hosting'], options: { yes: true } });
    assert.deepEqual(parseArgs(['env', 'checkout', '--restore', 'prod']).words, ['env', 'checkout', 'prod']);
  });

  void it('a flag followed by another flag is true', () => {
    assert.deepEqual(parseArgs(['--appId', '--yes']).options, { appId: true, yes: true });
  });

  void it('normalises the JSON flag aliases', () => {
    assert.deepEqual(parseArgs(['-a', '{}', '-p', '{}', '--frontend-config', '{}']).options, { amplify: '{}', providers: '{}', frontend: '{}' });
  });
});

void describe('resolveCommand (Amplify input-manager rules)', () => {
  void it('the plugin word may be first or second', () => {
    const a = resolve(['add', 'hosting', 'extra']);
    const b = resolve(['hosting', 'add', 'extra']);
    assert.equal(a.plugin, 'hosting');
    assert.equal(a.command, 'add');
    assert.deepEqual(a.subCommands, ['extra']);
    assert.deepEqual({ ...b, argv: [] }, { ...a, argv: [] });
  });

  void it('core commands keep category words as subcommands', () => {
    const push = resolve(['push', 'hosting']);
    assert.equal(push.plugin, undefined);
    assert.equal(push.command, 'push');
    assert.deepEqual(push.subCommands, ['hosting']);
  });

  void it('unknown words stay the command (the dispatcher reports them)', () => {
    const r = resolve(['frobnicate', 'x']);
    assert.equal(r.command, 'frobnicate');
    assert.equal(r.plugin, undefined);
  });
});

void describe('jsonFlag', () => {
  void it('parses a JSON object', () => {
    assert.deepEqual(jsonFlag({ amplify: '{"projectName":"x"}' }, 'amplify'), { projectName: 'x' });
    assert.equal(jsonFlag({}, 'amplify'), undefined);
  });

  void it('malformed JSON is a UserError naming the flag and the parse error', () => {
    assert.throws(
      () => jsonFlag({ providers: '{"a":' }, 'providers'),
      (e: unknown) => isUserError(e) && /^--providers is not valid JSON: .+/.test(e.message) && !e.message.includes('\n'),
    );
    assert.throws(() => jsonFlag({ frontend: '[1]' }, 'frontend'), /--frontend must be a JSON object/);
    assert.throws(() => jsonFlag({ categories: true }, 'categories'), /--categories needs a JSON value/);
  });
});
