import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxTable, truncateMiddle } from './box-table.js';

void describe('boxTable', () => {
  void it('draws cli-table3 default boxes with a rule between every row', () => {
    const table = boxTable([
      ['Category', 'Resource name', 'Operation', 'Provider plugin'],
      ['Hosting', 'amplifyhosting', 'No Change', 'awscloudformation'],
      ['Auth', 'reactamplified3a9d423b3a9d423b', 'No Change', 'awscloudformation'],
    ]);
    assert.equal(
      table,
      [
        '┌──────────┬────────────────────────────────┬───────────┬───────────────────┐',
        '│ Category │ Resource name                  │ Operation │ Provider plugin   │',
        '├──────────┼────────────────────────────────┼───────────┼───────────────────┤',
        '│ Hosting  │ amplifyhosting                 │ No Change │ awscloudformation │',
        '├──────────┼────────────────────────────────┼───────────┼───────────────────┤',
        '│ Auth     │ reactamplified3a9d423b3a9d423b │ No Change │ awscloudformation │',
        '└──────────┴────────────────────────────────┴───────────┴───────────────────┘',
      ].join('\n'),
    );
  });

  void it('ignores colour codes when measuring', () => {
    const table = boxTable([
      ['\u001b[31mred\u001b[0m', 'x'],
      ['longer', 'y'],
    ]);
    assert.match(table, /│ \u001b\[31mred\u001b\[0m    │ x │/);
  });

  const changes = [
    ['Resource', 'Type', 'Action', 'Reason'],
    ['apiforteapp.GraphQLSchemaOfAVeryLongApiName', 'Forte::AppSync::GraphQLSchema', 'Modify', 'Properties.Definition changed'],
    ['authforteapp.UserPool', 'Forte::Cognito::UserPool', 'Add', ''],
  ];

  void it('without a width (not a terminal), keeps every cell whole', () => {
    const table = boxTable(changes);
    assert.ok(table.includes('apiforteapp.GraphQLSchemaOfAVeryLongApiName'));
    assert.equal(table.split('\n')[0]?.length, 1 + 4 * 3 + 43 + 29 + 6 + 29);
  });

  void it('fits a width by cutting the middle of the widest column first', () => {
    const table = boxTable(changes, { maxWidth: 110 }).split('\n');
    assert.ok(
      table.every((line) => line.length <= 110),
      table.join('\n'),
    );
    assert.equal(table[0]?.length, 110);
    // Only the widest column (the 43-character ids) narrows, to 33: the others stay whole.
    assert.equal(table[3], '│ apiforteapp.Grap…AVeryLongApiName │ Forte::AppSync::GraphQLSchema │ Modify │ Properties.Definition changed │');
    assert.equal(table[5], '│ authforteapp.UserPool             │ Forte::Cognito::UserPool      │ Add    │                               │');
  });

  void it('narrows the widest columns in turn, never below a few characters', () => {
    const table = boxTable(changes, { maxWidth: 80 }).split('\n');
    assert.ok(
      table.every((line) => line.length <= 80),
      table.join('\n'),
    );
    assert.match(table[3] ?? '', /│ apiforteap…ngApiName │ Forte::App…hQLSchema │ Modify │ Properties…on changed │/);
    const narrow = boxTable(changes, { maxWidth: 20 }).split('\n');
    assert.equal(narrow[1], '│ Res…rce │ Type    │ Action │ Reason  │', 'each column keeps 7 characters, even when the table is then wider than asked');
  });

  void it('cuts the middle of a cell, dropping its colour codes', () => {
    assert.equal(truncateMiddle('abcdefghij', 5), 'ab…ij');
    assert.equal(truncateMiddle('abcdefghij', 6), 'abc…ij');
    assert.equal(truncateMiddle('abc', 3), 'abc');
    assert.equal(truncateMiddle('\u001b[31mabcdefghij\u001b[0m', 5), 'ab…ij');
    assert.equal(truncateMiddle('\u001b[31mabc\u001b[0m', 3), '\u001b[31mabc\u001b[0m');
  });
});
