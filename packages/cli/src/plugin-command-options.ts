import type { CommandOption } from './command.js';
import { yesOption } from './command-options.js';
import type { PluginInfo } from './plugin-registry.js';

/** What the CLI itself accepts on every plugin command, whatever the plugin declares. */
const CLI_OPTIONS: CommandOption[] = [
  yesOption(),
  { name: 'headless', description: 'read the answers as one line of JSON on stdin (for scripts)' },
];

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
