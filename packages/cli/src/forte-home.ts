import { homedir } from 'node:os';
import { join } from 'node:path';

/** Forte's per-user folder: `$FORTE_HOME`, else `~/.forte` (plugins.json, profiles.json, cloud/, logs/). */
export function forteHome(): string {
  const fromEnv = process.env['FORTE_HOME'];
  return fromEnv && fromEnv.length > 0 ? fromEnv : join(homedir(), '.forte');
}
