import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Appends an unexpected error with its cause chain to `$FORTE_HOME/logs/forte-<date>.log`; returns the file. */
export function logUnexpectedError(home: string, argv: string[], error: unknown): string {
  const dir = join(home, 'logs');
  const file = join(dir, `forte-${new Date().toISOString().slice(0, 10)}.log`);
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    parts.push(e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  // argv may hold secrets (configure --secret-access-key): only the command words are logged.
  const words = argv
    .filter((a) => !a.startsWith('-'))
    .slice(0, 3)
    .join(' ');
  try {
    mkdirSync(dir, { recursive: true });
    appendFileSync(file, `[${new Date().toISOString()}] forte ${words}\n${parts.join('\nCaused by: ')}\n\n`);
  } catch {
    return '(the log could not be written)';
  }
  return file;
}
