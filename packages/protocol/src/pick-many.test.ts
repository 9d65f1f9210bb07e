import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commaSeparated, pickMany } from './pick-many.js';
import type { Prompter } from './plugin.js';

/** A prompter that types `typed` in turn, each checked as the terminal checks it: a refused answer is typed again by the next. */
function typing(typed: string[]): { prompt: Prompter; asked: { message: string; default?: string }[]; refusals: string[] } {
  const asked: { message: string; default?: string }[] = [];
  const refusals: string[] = [];
  const prompt: Prompter = {
    yes: false,
    async input(question) {
      asked.push({ message: question.message, ...(question.default === undefined ? {} : { default: question.default }) });
      for (;;) {
        const value = typed.shift();
        if (value === undefined) throw new Error('no answer left');
        const verdict = question.validate?.(value) ?? true;
        if (verdict === true) return value;
        refusals.push(verdict);
      }
    },
    confirm: () => Promise.reject(new Error('not asked')),
    select: () => Promise.reject(new Error('not asked')),
  };
  return { prompt, asked, refusals };
}

void describe('pickMany', () => {
  it('asks once with the choices and the default, refuses items outside the choices, and answers the trimmed items', async () => {
    const { prompt, asked, refusals } = typing(['read, write', ' read ,, delete ']);
    const picked = await pickMany({ prompt }, 'What may users do?', ['create', 'read', 'delete'], ['read']);
    assert.deepEqual(picked, ['read', 'delete']);
    assert.deepEqual(asked, [{ message: 'What may users do? (create, read, delete; separate with commas)', default: 'read' }]);
    assert.deepEqual(refusals, ['Not one of the choices: write']);
  });

  it('defaults to none, and an empty answer picks none', async () => {
    const { prompt, asked } = typing(['']);
    assert.deepEqual(await pickMany({ prompt }, 'Select groups:', ['Admin']), []);
    assert.equal(asked[0]?.default, '');
  });

  it('with atLeastOne, asks again after an empty answer', async () => {
    const { prompt, refusals } = typing([' , ', 'Admin']);
    assert.deepEqual(await pickMany({ prompt }, 'Select groups:', ['Admin', 'Editors'], [], { atLeastOne: true }), ['Admin']);
    assert.deepEqual(refusals, ['Choose at least one']);
  });

  it('commaSeparated drops empty items and spaces', () => {
    assert.deepEqual(commaSeparated(' a,b ,, c,'), ['a', 'b', 'c']);
    assert.deepEqual(commaSeparated(''), []);
  });
});
