import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { automerge } from './automerge.js';

void describe('automerge', () => {
  void it("keeps the server value of a scalar both sides have (AppSync's jersey example)", () => {
    const server = { id: '1', name: 'Nadia', jersey: 5, _version: 4 };
    assert.deepEqual(automerge(server, { id: '1', name: 'Nadia', jersey: 55 }), server);
  });

  void it("concatenates lists, the incoming values after the server's, duplicates kept", () => {
    assert.deepEqual(automerge({ tags: ['s', 'x'] }, { tags: ['x', 'c'] }), { tags: ['s', 'x', 'x', 'c'] });
  });

  void it('takes the incoming value of a field the server has null or lacks', () => {
    assert.deepEqual(automerge({ id: '1', note: null }, { note: 'n', tags: ['c'], done: false }), { id: '1', note: 'n', tags: ['c'], done: false });
  });

  void it('merges maps key by key with the same rules', () => {
    const server = { meta: { colour: 'red', sizes: [1], nested: { a: 1 } } };
    const incoming = { meta: { colour: 'blue', sizes: [2], extra: true, nested: { a: 2, b: 3 } } };
    assert.deepEqual(automerge(server, incoming), { meta: { colour: 'red', sizes: [1, 2], nested: { a: 1, b: 3 }, extra: true } });
  });

  void it('keeps the server value when the incoming value is null, or of another shape', () => {
    assert.deepEqual(automerge({ name: 's', tags: ['s'], meta: { a: 1 } }, { name: null, tags: 'c', meta: ['x'] }), { name: 's', tags: ['s'], meta: { a: 1 } });
  });

  void it('changes neither argument', () => {
    const server = { tags: ['s'], meta: { a: [1] } };
    const incoming = { tags: ['c'], meta: { a: [2] } };
    assert.deepEqual(automerge(server, incoming), { tags: ['s', 'c'], meta: { a: [1, 2] } });
    assert.deepEqual(server, { tags: ['s'], meta: { a: [1] } });
    assert.deepEqual(incoming, { tags: ['c'], meta: { a: [2] } });
  });
});
