import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuTime } from '../../kernel/cpu-time.test-helper.js';
import { ExpressionBuilder } from './expression-builder.js';
import { EVERY_ITEM } from './field-visibility.js';

void describe('ExpressionBuilder', () => {
  void it('keeps only the placeholders the text uses, telling #f1 from #f10', () => {
    const b = new ExpressionBuilder('f');
    const names = Array.from({ length: 11 }, (_, i) => b.name(`attr${i}`));
    const value = b.value('x');
    assert.equal(b.name('attr3'), names[3], 'one placeholder per attribute');
    const out = b.expression(`${names[10]!} = ${value}`);
    assert.deepEqual(out, { expression: '#f10 = :f0', names: { '#f10': 'attr10' }, values: { ':f0': { S: 'x' } } });
  });

  void it('keeps only the placeholders used with many placeholders too (the scanning path)', () => {
    const b = new ExpressionBuilder('f');
    const names = Array.from({ length: 20 }, (_, i) => b.name(`attr${i}`));
    const values = Array.from({ length: 20 }, (_, i) => b.value(`v${i}`));
    const out = b.expression(`${names[1]!} = ${values[10]!} AND ${names[19]!} <> ${values[1]!}`);
    assert.deepEqual(out, {
      expression: '#f1 = :f10 AND #f19 <> :f1',
      names: { '#f1': 'attr1', '#f19': 'attr19' },
      values: { ':f10': { S: 'v10' }, ':f1': { S: 'v1' } },
    });
  });

  void it('answers no names or values when the text uses none', () => {
    const b = new ExpressionBuilder('f');
    b.name('a');
    b.value(1);
    assert.deepEqual(b.expression('attribute_exists(x)'), { expression: 'attribute_exists(x)' });
  });

  void it('builds a filter of 32,000 or terms in linear time', () => {
    const build = (): number => {
      const b = new ExpressionBuilder('f');
      const filter = Array.from({ length: 32_000 }, (_, i) => ({ title: { eq: `t${i}` } }));
      const { result: out, ms } = cpuTime(() => b.expression(b.filter({ or: filter }, EVERY_ITEM)!));
      assert.equal(Object.keys(out.values ?? {}).length, 32_000);
      assert.deepEqual(out.names, { '#f0': 'title' });
      return ms;
    };
    // Under a second of CPU; the builder that scanned the text once per placeholder took about 15 s on the
    // same machine. Best of two, so a garbage collection left over from elsewhere does not count.
    const ms = Math.min(build(), build());
    assert.ok(ms < 3000, `built in ${Math.round(ms)} ms of CPU`);
  });
});
