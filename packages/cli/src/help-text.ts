import type { Command } from './command.js';
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
    'Global options:',
    '  -y, --yes        confirm, and answer every other question with its default',
    '  --headless       read the input of add/update/remove as one line of JSON on stdin',
    '  -h, --help       help of a command (forte <command> --help)',
    '  -v, --version    the version of forte',
  );
  return lines.join('\n');
}

export function commandHelp(command: Command): string {
  const flags = command.flags.length > 0 ? `\n\nOptions: ${command.flags.map((f) => `--${f}`).join(', ')}, --yes, --help` : '';
  const aliases = command.aliases ? `\nAliases: ${command.aliases.join(', ')}` : '';
  return `${command.usage}\n\n${command.summary}${aliases}${flags}`;
}
