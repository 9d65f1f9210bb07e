import type { Command, CommandOption } from './command.js';
import { acceptedOptions } from './command-options.js';
import type { PluginInfo } from './plugin-registry.js';

/** `forte help`: the commands, the plugins' commands and the global flags. */
export function globalHelp(commands: Command[], plugins: PluginInfo[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const lines = ['Usage: forte <command> [subcommand] [options]', '', 'Commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(width)}${c.summary}`);
  const categories = plugins.filter((p) => p.manifest.type === 'category' || p.manifest.type === 'util');
  if (categories.length > 0) {
    lines.push('', 'Categories (forte <verb> <category> = forte <category> <verb>):');
    for (const p of categories) lines.push(`  ${p.manifest.name.padEnd(width)}${p.manifest.commands.join(', ')}`);
  }
  lines.push(
    '',
    'Options:',
    '  -h, --help       help of a command, with its options (forte <command> --help)',
    '  -v, --version    the version of forte',
    '  -y, --yes        (commands that ask questions) confirm, and answer every other question with its default',
    '  --headless       (add, update, remove <category>) read the answers as one line of JSON on stdin',
  );
  return lines.join('\n');
}

/** `forte <command> --help`: usage, summary, aliases and every option the command accepts, one line each. */
export function commandHelp(command: Command): string {
  const aliases = command.aliases ? `\nAliases: ${command.aliases.join(', ')}` : '';
  return `${command.usage}\n\n${command.summary}${aliases}\n\n${optionLines(acceptedOptions(command.options)).join('\n')}`;
}

/** `Options:` and a line per option: `  -f, --force  description`, the descriptions aligned. */
export function optionLines(options: CommandOption[]): string[] {
  const label = (o: CommandOption): string => `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.value ? ` ${o.value}` : ''}`;
  const width = Math.max(...options.map((o) => label(o).length)) + 2;
  return ['Options:', ...options.map((o) => `  ${label(o).padEnd(width)}${o.description}`)];
}
