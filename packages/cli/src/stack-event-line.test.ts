import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StackEvent } from '@forte/protocol';
import { stackEventLine } from './stack-event-line.js';

const event = (logicalId: string, reason?: string): StackEvent =>
  ({
    timestamp: '2026-12-04T23:01:02.345Z',
    status: 'CREATE_IN_PROGRESS',
    resourceType: 'Forte::DynamoDB::Table',
    logicalId,
    ...(reason ? { reason } : {}),
  }) as StackEvent;

test('not in a terminal: the whole line, however long', () => {
  const id = 'apiforteapp.TodoTableOfAVeryLongModelNameIndeed';
  assert.equal(
    stackEventLine(event(id, 'Resource creation Initiated')),
    `23:01:02 CREATE_IN_PROGRESS       Forte::DynamoDB::Table ${id}  Resource creation Initiated`,
  );
});

test('in a terminal: the logical id loses its middle, the reason goes on its own line, whole', () => {
  const reason = 'Table Todo already exists in another stack of this environment';
  const [first, second, ...rest] = stackEventLine(event('apiforteapp.TodoTableOfAVeryLongModelNameIndeed', reason), 80).split('\n');
  assert.equal(first, '23:01:02 CREATE_IN_PROGRESS       Forte::DynamoDB::Table apiforteapp…lNameIndeed');
  assert.equal(first?.length, 80);
  assert.equal(second, `         ${reason}`);
  assert.deepEqual(rest, []);
  assert.equal(stackEventLine(event('short', 'ok'), 80), '23:01:02 CREATE_IN_PROGRESS       Forte::DynamoDB::Table short  ok');
});
