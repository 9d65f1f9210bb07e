import { readFileSync } from 'node:fs';
import type { Command } from './command.js';
import { cloudCommand } from './commands/cloud.js';
import { configureCommand } from './commands/configure.js';
import { consoleCommand } from './commands/console.js';
import { deleteCommand } from './commands/delete.js';
import { envCommand } from './commands/env.js';
import { initCommand } from './commands/init.js';
import { mailboxCommand } from './commands/mailbox.js';
import { mockCommand } from './commands/mock.js';
import { pluginCommand } from './commands/plugin.js';
import { publishCommand } from './commands/publish.js';
import { pullCommand } from './commands/pull.js';
import { pushCommand } from './commands/push.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { didYouMean } from './did-you-mean.js';
import { commandHelp, globalHelp } from './help-text.js';
import { pluginCommandHelp } from './plugin-command-options.js';
import { UsageError } from './usage-error.js';

/** The CLI's own version (package.json). */
export function cliVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const versionCommand: Command = {
  name: 'version',
  summary: 'Prints the version of forte.',
  usage: 'forte version',
  options: [],
  needsProject: false,
  async run(ctx) {
    ctx.print.info(cliVersion());
  },
};

const helpCommand: Command = {
  name: 'help',
  aliases: ['h'],
  summary: 'Lists the commands, or explains one (forte help <command>).',
  usage: 'forte help [command | <command> <category>]',
  options: [],
  needsProject: false,
  async run(ctx) {
    const name = ctx.input.subCommands[0];
    if (name === undefined) {
      ctx.print.info(globalHelp(COMMANDS, ctx.registry.all()));
      return;
    }
    const command = findCommand(name);
    if (command) {
      ctx.print.info(commandHelp(command));
      return;
    }
    // `forte help add api` / `forte help api add`: that command's options, when the plugin declares them.
    const second = ctx.input.subCommands[1];
    if (second !== undefined) {
      const [plugin, verb] = ctx.registry.find(second).length > 0 ? [second, name] : [name, second];
      const help = pluginCommandHelp(ctx.registry.find(plugin), plugin, verb);
      if (help) {
        ctx.print.info(help);
        return;
      }
    }
    const plugins = ctx.registry.find(name);
    if (plugins.length > 0) {
      const commands = [...new Set(plugins.flatMap((p) => p.manifest.commands))];
      ctx.print.info(`Usage: forte ${name} <command> (or forte <command> ${name})\n\nCommands: ${commands.join(', ')}`);
      return;
    }
    const words = [...COMMANDS.map((c) => c.name), ...ctx.registry.all().map((p) => p.manifest.name)];
    throw new UsageError(`forte help: no command or category named ${name}.${didYouMean(name, words, (w) => `forte help ${w}`)}`);
  },
};

export const COMMANDS: Command[] = [
  initCommand,
  statusCommand,
  pushCommand,
  mockCommand,
  pullCommand,
  publishCommand,
  runCommand,
  envCommand,
  deleteCommand,
  configureCommand,
  consoleCommand,
  cloudCommand,
  mailboxCommand,
  pluginCommand,
  helpCommand,
  versionCommand,
];

export function findCommand(word: string): Command | undefined {
  return COMMANDS.find((c) => c.name === word || (c.aliases ?? []).includes(word));
}

/** Names plugins may not take (Amplify: a plugin name must not equal a core command). */
export const CORE_COMMAND_NAMES: ReadonlySet<string> = new Set(COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]));
