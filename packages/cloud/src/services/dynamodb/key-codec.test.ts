import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeKey, encodeNumber, prefixUpperBound } from './key-codec.js';
import { addDecimals, compareDecimals, formatNumber, normalizeNumber, parseNumber } from './number.js';

const ascending = [
  '-9.9999999999999999999999999999999999999E+125',
  '-1E+100',
  '-123456789012345678901234567890',
  '-1000',
  '-999.5',
  '-10',
  '-2',
  '-1.5',
  '-1.25',
  '-1.2',
  '-1',
  '-0.123',
  '-0.12',
  '-0.1',
  '-1E-130',
  '0',
  '1E-130',
  '0.0001',
  '0.1',
  '0.12',
  '0.123',
  '1',
  '1.2',
  '1.25',
  '2',
  '10',
  '99.99',
  '100',
  '1000.0001',
  '123456789012345678901234567890',
  '1E+100',
  '9.9999999999999999999999999999999999999E+125',
];

void describe('number key encoding', () => {
  void it('orders bytes as the numbers: negatives, fractions, zero and large exponents', () => {
    const shuffled = [...ascending].sort(() => 0.5 - Math.random());
    const byBytes = [...shuffled].sort((a, b) => Buffer.compare(encodeNumber(parseNumber(a)), encodeNumber(parseNumber(b))));
    assert.deepEqual(byBytes, ascending);
    const byValue = [...shuffled].sort((a, b) => compareDecimals(parseNumber(a), parseNumber(b)));
    assert.deepEqual(byValue, ascending);
  });

  void it('encodes equal numbers written differently to the same bytes', () => {
    for (const [a, b] of [
      ['1.50', '1.5'],
      ['100', '1E2'],
      ['-0', '0'],
      ['0.010', '1e-2'],
      ['+7', '7'],
    ] as const) {
      assert.deepEqual(encodeNumber(parseNumber(a)), encodeNumber(parseNumber(b)), `${a} = ${b}`);
      assert.equal(normalizeNumber(a), normalizeNumber(b));
    }
  });

  void it('keeps 38 digits and refuses more, and magnitudes outside DynamoDB range', () => {
    assert.equal(normalizeNumber('12345678901234567890123456789012345678'), '12345678901234567890123456789012345678');
    assert.throws(() => parseNumber('123456789012345678901234567890123456789'), /more than 38 significant digits/);
    assert.throws(() => parseNumber('1E+126'), /Number overflow/);
    assert.throws(() => parseNumber('1E-131'), /Number underflow/);
    assert.throws(() => parseNumber('abc'), /The parameter cannot be converted to a numeric value: abc/);
    assert.throws(() => parseNumber('1.2.3'), /cannot be converted/);
    // Long runs of zeros are read in linear time (a trailing-zero regex took seconds here).
    const started = performance.now();
    assert.throws(() => parseNumber(`1${'0'.repeat(200_000)}1`), /more than 38 significant digits/);
    assert.equal(normalizeNumber(`1${'0'.repeat(100)}`), `1${'0'.repeat(100)}`);
    assert.equal(normalizeNumber(`0.00150${'0'.repeat(200_000)}`), '0.0015');
    assert.ok(performance.now() - started < 1000, `took ${Math.round(performance.now() - started)} ms`);
  });

  void it('formats canonically and adds exactly', () => {
    assert.equal(formatNumber(parseNumber('0.00500')), '0.005');
    assert.equal(formatNumber(parseNumber('-12.340e1')), '-123.4');
    assert.equal(formatNumber(addDecimals(parseNumber('0.1'), parseNumber('0.2'))), '0.3');
    assert.equal(formatNumber(addDecimals(parseNumber('99999999999999999999999999999999999999'), parseNumber('-99999999999999999999999999999999999998'))), '1');
    assert.equal(formatNumber(addDecimals(parseNumber('5'), parseNumber('-5'))), '0');
    assert.throws(() => addDecimals(parseNumber('99999999999999999999999999999999999999'), parseNumber('0.1')), /38 significant digits/);
  });
});

void describe('string and binary keys', () => {
  void it('orders strings by UTF-8 bytes, as DynamoDB does (not by UTF-16 code units)', () => {
    // U+FF5E is one UTF-16 unit above U+D83D (an emoji's high surrogate), but below it in UTF-8.
    const a = encodeKey({ S: '\uff5e' });
    const b = encodeKey({ S: '\u{1F600}' });
    assert.ok('\uff5e' > '\u{1F600}', 'JS string order differs');
    assert.ok(Buffer.compare(a, b) < 0);
  });

  void it('bounds a prefix from above', () => {
    assert.deepEqual(prefixUpperBound(Buffer.from('ab')), Buffer.from('ac'));
    assert.deepEqual(prefixUpperBound(Buffer.from([0x61, 0xff])), Buffer.from([0x62]));
    assert.equal(prefixUpperBound(Buffer.from([0xff, 0xff])), undefined);
  });
});
