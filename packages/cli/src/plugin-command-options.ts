import type { CommandOption } from './command.js';
import { acceptedOptions, yesOption } from './command-options.js';
import { optionLines } from './help-text.js';
import type { PluginInfo } from './plugin-registry.js';

/** What the CLI itself accepts on every plugin command, whatever the plugin declares. */
const CLI_OPTIONS: CommandOption[] = [yesOption(), { name: 'headless', description: 'read the answers as one line of JSON on stdin (for scripts)' }];

/**
 * The options of `forte <command> <plugin>` besides --help: those the plugin's manifest declares for the
 * command, then the CLI's own. Undefined when the manifest declares none for it: any option then passes
 * to the plugin, as before plugins declared them.
 */
export function pluginCommandOptions(info: PluginInfo, command: string): CommandOption[] | undefined {
  const declared = info.manifest.options?.[command];
  if (declared === undefined) return undefined;
  return [...declared.map((o) => ({ name: o.name, description: o.description, ...(o.value === undefined ? {} : { value: o.value }) })), ...CLI_OPTIONS];
}

/**
 * `forte <verb> <plugin> --help` (and `forte help <verb> <plugin>`): the usage and options of the first of
 * the plugins named `plugin` that has the command and declares its options; undefined when none does.
 */
export function pluginCommandHelp(plugins: PluginInfo[], name: string, verb: string): string | undefined {
  for (const info of plugins) {
    const command = info.manifest.commandAliases?.[verb] ?? verb;
    if (!info.manifest.commands.includes(command)) continue;
    const options = pluginCommandOptions(info, command);
    if (options) return `Usage: forte ${command} ${name} [options] (or forte ${name} ${command})\n\n${optionLines(acceptedOptions(options)).join('\n')}`;
  }
  return undefined;
}
