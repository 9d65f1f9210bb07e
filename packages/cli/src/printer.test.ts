import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrinter } from './printer.js';
import { terminalColumns } from './terminal-columns.js';

/** What `print` writes to stdout. */
function stdoutOf(print: () => void): string {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    print();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

const rows = [
  ['Resource', 'Action'],
  ['apiforteapp.GraphQLSchemaOfAVeryLongApiName', 'Modify'],
];

test('tables are fitted to the terminal, and kept whole when stdout is not one', () => {
  const fitted = stdoutOf(() => createPrinter({ colour: false, columns: () => 30 }).table(rows));
  assert.ok(
    fitted
      .split('\n')
      .filter(Boolean)
      .every((line) => line.length === 30),
    fitted,
  );
  assert.match(fitted, /│ apiforte…gApiName │ Modify │/);
  const whole = stdoutOf(() => createPrinter({ colour: false, columns: () => undefined }).table(rows));
  assert.match(whole, /│ apiforteapp\.GraphQLSchemaOfAVeryLongApiName │ Modify │/);
});

test('the terminal width is known only for a terminal', () => {
  assert.equal(terminalColumns({ isTTY: true, columns: 100 }), 100);
  assert.equal(terminalColumns({ isTTY: false, columns: 100 }), undefined);
  assert.equal(terminalColumns({ columns: 100 }), undefined);
  assert.equal(terminalColumns({ isTTY: true, columns: 0 }), undefined);
});
