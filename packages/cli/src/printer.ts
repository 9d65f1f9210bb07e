import type { Printer } from '@forte/protocol';
import { boxTable } from './box-table.js';

type Colour = 'red' | 'green' | 'yellow' | 'blue';
const CODES: Record<Colour, number> = { red: 31, green: 32, yellow: 33, blue: 34 };

/** Prints to stdout (info, success, tables) and stderr (warnings, errors); colour only on a TTY. */
export function createPrinter(options: { colour?: boolean } = {}): Printer {
  const colour = options.colour ?? (process.stdout.isTTY === true && !process.env['NO_COLOR']);
  const paint = (c: Colour, text: string): string => (colour ? `\u001b[${CODES[c]}m${text}\u001b[0m` : text);
  return {
    info: (message) => process.stdout.write(`${message}\n`),
    success: (message) => process.stdout.write(`${paint('green', '✔')} ${message}\n`),
    warn: (message) => process.stderr.write(`${paint('yellow', '⚠')} ${message}\n`),
    error: (message) => process.stderr.write(`${paint('red', '✖')} ${message}\n`),
    table: (rows) => process.stdout.write(`${boxTable(rows)}\n`),
  };
}
