import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTROL_ERROR_STATUS, CONTROL_ERRORS, ForteError, defineErrorTable, isForteError } from './errors.js';
import { UserError, isUserError } from './plugin.js';

void describe('error tables', () => {
  it('the control table answers each of its codes with its status and keeps the cause', () => {
    const cause = new Error('disk full');
    for (const [code, status] of Object.entries(CONTROL_ERROR_STATUS)) {
      assert.ok(CONTROL_ERRORS.has(code));
      const error = CONTROL_ERRORS.error(code, `failed: ${code}`, { cause });
      assert.equal(error.code, code);
      assert.equal(error.status, status);
      assert.equal(error.cause, cause);
      assert.ok(isForteError(error));
    }
    assert.equal(CONTROL_ERRORS.statuses.ResourceNotFoundException, 404);
    assert.equal(CONTROL_ERRORS.has('NoSuchKey'), false);
  });

  it('makes no error with a code outside the table', () => {
    const table = defineErrorTable('test', { Teapot: 418 });
    assert.equal(table.error('Teapot', 'short and stout').status, 418);
    // @ts-expect-error a code the protocol does not declare
    table.error('NoSuchCode', 'x');
    // @ts-expect-error the constructor takes its code from the table too
    new ForteError(table, 'ValidationException', 'x');
    // @ts-expect-error the control API has no S3 codes
    CONTROL_ERRORS.error('NoSuchKey', 'x');
  });
});

// The brand as another copy of the package makes it: its own symbol value, the same global key.
const COPIED_BRAND: unique symbol = Symbol.for('forte.error');

void describe('brand check', () => {
  it('recognises an error of another copy of the classes by its brand, not its class', () => {
    // What a plugin bundling its own @forte/protocol throws: another class, the same global brand.
    class CopiedError extends Error {
      readonly [COPIED_BRAND] = 'protocol';
      constructor(
        readonly code: string,
        message: string,
        readonly status: number,
      ) {
        super(message);
      }
    }
    const copy = new CopiedError('ConflictException', 'taken', 409);
    assert.ok(!(copy instanceof ForteError));
    assert.ok(isForteError(copy));
    assert.equal(isForteError(new Error('plain')), false);
    assert.equal(isForteError({ code: 'X', status: 400, message: 'no brand' }), false);
    assert.equal(isForteError(Object.assign(new CopiedError('X', 'm', 200))), false, 'a status that is not an error status');
  });

  it('recognises a UserError of another copy', () => {
    class CopiedUserError extends Error {
      readonly [COPIED_BRAND] = 'user';
      constructor(
        message: string,
        readonly resolution: string,
      ) {
        super(message);
      }
    }
    assert.ok(isUserError(new CopiedUserError('bad', 'fix it')));
    assert.ok(isUserError(new UserError('bad', 'fix it')));
    assert.equal(isUserError(CONTROL_ERRORS.error('ValidationException', 'x')), false);
    assert.equal(isForteError(new UserError('bad', 'fix it')), false);
  });
});
