import type { CommandOption } from './command.js';
import { didYouMean } from './did-you-mean.js';
import { UsageError } from './usage-error.js';

/** Every command's `-h, --help`. */
export const HELP_OPTION: CommandOption = { name: 'help', short: 'h', description: 'show this help' };

/** `-y, --yes` of a command that asks questions. */
export function yesOption(description = 'do not ask: confirm, and take the default answer of every question'): CommandOption {
  return { name: 'yes', short: 'y', description };
}

/** `--profile NAME` of a command that talks to a cloud. */
export function profileOption(description = 'the cloud profile to use (forte configure; default: the local cloud)'): CommandOption {
  return { name: 'profile', value: 'NAME', description };
}

/** The options a command accepts, --help included: what the parser allows and what its help lists. */
export function acceptedOptions(options: CommandOption[]): CommandOption[] {
  return [...options, HELP_OPTION];
}

/**
 * Accepted by every command without being listed where it means nothing: Amplify takes `-y` everywhere, and
 * scripts written for it pass `--yes` to commands that never ask (`amplify status -y`).
 */
const TOLERATED_EVERYWHERE = ['yes'];

/** The names in `given` (parsed option names) that a command with these options does not accept. */
export function unknownOptions(options: CommandOption[], given: string[]): string[] {
  const known = new Set([...acceptedOptions(options).map((o) => o.name), ...TOLERATED_EVERYWHERE]);
  return given.filter((name) => !known.has(name));
}

/**
 * Refuses the options in `given` that a command with these options does not accept, naming them and, for one,
 * the closest it does accept. `where` names the command (`forte push`); `hint` ends the message.
 */
export function assertKnownOptions(options: CommandOption[], given: string[], where: string, hint = ''): void {
  const unknown = unknownOptions(options, given);
  if (unknown.length === 0) return;
  const flag = (f: string): string => (f.length === 1 ? `-${f}` : `--${f}`);
  const known = acceptedOptions(options).map((o) => o.name);
  const suggestion = unknown.length === 1 ? didYouMean(unknown[0]!, known, flag) : '';
  throw new UsageError(`Unknown option ${unknown.map(flag).join(', ')} for ${where}.${suggestion}${hint}`);
}
