import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from './logger.js';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  return { lines, log: createLogger({ write: (line) => lines.push(line), ...(level ? { level } : {}) }) };
}

test('writes one JSON line per call: time, level, msg, then the base fields, then the call fields', () => {
  const { lines, log } = capture();
  const before = Date.now();
  log.child({ requestId: 'r1' }).info('request', { method: 'POST', path: '/a"b\\u2028', status: 200, ms: 0.3, skipped: undefined, flag: true });
  log.info('plain');
  log.warn('no base', { n: 1 });
  assert.equal(lines.length, 3);
  assert.ok(lines.every((line) => line.endsWith('}\n') && !line.slice(0, -1).includes('\n')));
  const first = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(first), ['time', 'level', 'msg', 'requestId', 'method', 'path', 'status', 'ms', 'flag']);
  assert.deepEqual(
    { ...first, time: undefined },
    { time: undefined, level: 'info', msg: 'request', requestId: 'r1', method: 'POST', path: '/a"b\\u2028', status: 200, ms: 0.3, flag: true },
  );
  const time = Date.parse(String(first.time));
  assert.ok(time >= before - 1 && time <= Date.now(), 'an ISO time of now');
  assert.deepEqual(JSON.parse(lines[1]!), { ...JSON.parse(lines[1]!), level: 'info', msg: 'plain' });
  assert.deepEqual(Object.keys(JSON.parse(lines[1]!) as object), ['time', 'level', 'msg']);
  assert.deepEqual(Object.keys(JSON.parse(lines[2]!) as object), ['time', 'level', 'msg', 'n']);
});

test('a call field with a name the line already has replaces it, once', () => {
  const { lines, log } = capture();
  log.child({ requestId: 'r1', route: 'a' }).info('request', { route: 'b' });
  log.info('request', { msg: 'mine' });
  for (const line of lines) assert.equal(line.match(/"(route|msg)"/g)?.length, line.includes('route') ? 2 : 1, line);
  assert.equal((JSON.parse(lines[0]!) as { route: string }).route, 'b');
  assert.equal((JSON.parse(lines[1]!) as { msg: string }).msg, 'mine');
});

test('errors are written with name, message and stack; levels below the minimum are not written', () => {
  const { lines, log } = capture('warn');
  log.info('hidden');
  log.debug('hidden');
  log.error('failed', { error: new TypeError('boom') });
  assert.equal(lines.length, 1);
  const { error } = JSON.parse(lines[0]!) as { error: { name: string; message: string; stack: string } };
  assert.equal(error.name, 'TypeError');
  assert.equal(error.message, 'boom');
  assert.match(error.stack, /boom/);
  assert.equal(log.enabled('info'), false);
  assert.equal(log.enabled('error'), true);
});
