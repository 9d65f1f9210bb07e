import type { Printer } from '@forte/protocol';
import { boxTable } from './box-table.js';
import { terminalColumns } from './terminal-columns.js';

type Colour = 'red' | 'green' | 'yellow' | 'blue';
const CODES: Record<Colour, number> = { red: 31, green: 32, yellow: 33, blue: 34 };

/**
 * Prints to stdout (info, success, tables) and stderr (warnings, errors); colour only on a TTY, and tables
 * narrowed to the terminal's width (`columns`: the terminal's, none when stdout is not one).
 */
export function createPrinter(options: { colour?: boolean; columns?: () => number | undefined } = {}): Printer {
  const colour = options.colour ?? (process.stdout.isTTY === true && !process.env['NO_COLOR']);
  const columns = options.columns ?? (() => terminalColumns());
  const paint = (c: Colour, text: string): string => (colour ? `\u001b[${CODES[c]}m${text}\u001b[0m` : text);
  return {
    info: (message) => process.stdout.write(`${message}\n`),
    success: (message) => process.stdout.write(`${paint('green', '✔')} ${message}\n`),
    warn: (message) => process.stderr.write(`${paint('yellow', '⚠')} ${message}\n`),
    error: (message) => process.stderr.write(`${paint('red', '✖')} ${message}\n`),
    table: (rows) => {
      const maxWidth = columns();
      process.stdout.write(`${boxTable(rows, maxWidth === undefined ? {} : { maxWidth })}\n`);
    },
  };
}
