import type { CliContext } from './cli-context.js';

/** One option a command accepts: the same declaration checks the command line and writes the help. */
export interface CommandOption {
  /** Long name, without the dashes (`force` is `--force`). */
  name: string;
  /** One-letter form (`f` is `-f`), as parse-args knows it. */
  short?: string;
  /** What the value stands for (`NAME`, `JSON`); absent for a flag that takes none. */
  value?: string;
  /** One line: what the option does for this command. */
  description: string;
}

/** A core command: its options (anything else is a usage error), its help, and a thin run(). */
export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  usage: string;
  /** The options it accepts besides --help (which every command takes). */
  options: CommandOption[];
  /**
   * When its next word names a plugin that has a command of this name, that plugin runs it instead
   * (`forte mock function hello` is the function plugin's mock; `forte mock` alone is this command).
   */
  yieldsToPlugins?: boolean;
  /** Needs a project folder (hooks then run around it). */
  needsProject: boolean;
  run(ctx: CliContext): Promise<void>;
}
