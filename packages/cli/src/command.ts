import type { CliContext } from './cli-context.js';

/** A core command: its flags (anything else is a usage error), its help, and a thin run(). */
export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  usage: string;
  /** Long flag names it accepts besides the global ones (help, yes, version, debug, headless). */
  flags: string[];
  /** Needs a project folder (hooks then run around it). */
  needsProject: boolean;
  run(ctx: CliContext): Promise<void>;
}
