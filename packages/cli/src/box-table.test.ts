import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxTable } from './box-table.js';

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
    const table = boxTable([['\u001b[31mred\u001b[0m', 'x'], ['longer', 'y']]);
    assert.match(table, /│ \u001b\[31mred\u001b\[0m    │ x │/);
  });
});
