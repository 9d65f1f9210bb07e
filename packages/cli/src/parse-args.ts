import { UserError, type CliInput } from '@forte/protocol';

/** Short flags and their long names (Amplify's input-manager). `-f` is `--force` (push/publish). */
export const SHORT_FLAGS: Readonly<Record<string, string>> = { y: 'yes', h: 'help', v: 'version', a: 'amplify', p: 'providers', f: 'force' };

/** Flags that never take a value, so `forte push -y hosting` keeps `hosting` as a word. */
export const BOOLEAN_FLAGS: ReadonlySet<string> = new Set([
  'yes',
  'help',
  'version',
  'force',
  'restore',
  'json',
  'details',
  'headless',
  'detach',
  'verbose',
  'no-override',
  'no-codegen',
  'no-open',
  'allow-destructive-graphql-schema-updates',
  'allow-data-loss',
  'follow',
  'watch',
  'revert',
]);

/** Long-name aliases (Amplify's `--amplify-config` etc.). */
const LONG_ALIASES: Record<string, string> = { 'amplify-config': 'amplify', 'providers-config': 'providers', 'frontend-config': 'frontend' };

/** Flags whose value is JSON (`--amplify '{"projectName":"x"}'`). */
export const JSON_FLAGS = ['amplify', 'frontend', 'providers', 'categories'] as const;
export type JsonFlag = (typeof JSON_FLAGS)[number];

export interface ParsedArgs {
  /** Positional words in order. */
  words: string[];
  options: Record<string, string | boolean>;
}

/** Splits argv (without `node` and the script) into words and `--key value` / `--flag` options. */
export function parseArgs(argv: string[]): ParsedArgs {
  const words: string[] = [];
  const options: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (token === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (token.startsWith('--') && token.length > 2) {
      const eq = token.indexOf('=');
      name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      if (eq !== -1) inline = token.slice(eq + 1);
      name = LONG_ALIASES[name] ?? name;
    } else if (token.startsWith('-') && token.length > 1 && !/^-\d/.test(token)) {
      const short = token.slice(1);
      name = SHORT_FLAGS[short] ?? short;
    }
    if (name === undefined) {
      words.push(token);
      continue;
    }
    if (inline !== undefined) {
      options[name] = inline;
      continue;
    }
    const next = argv[i + 1];
    if (!BOOLEAN_FLAGS.has(name) && next !== undefined && !next.startsWith('-')) {
      options[name] = next;
      i++;
    } else {
      options[name] = true;
    }
  }
  return { words, options };
}

/** Parses a JSON flag; malformed JSON is a UserError naming the flag and the parse error. */
export function jsonFlag(options: Record<string, string | boolean>, flag: JsonFlag): Record<string, unknown> | undefined {
  const raw = options[flag];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new UserError(`--${flag} needs a JSON value.`, `Pass it as --${flag} '{"key":"value"}'.`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new UserError(
      `--${flag} is not valid JSON: ${(error as Error).message}`,
      `Fix the JSON given to --${flag} (quote it for your shell: --${flag} '{"key":"value"}').`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`--${flag} must be a JSON object.`, `Pass it as --${flag} '{"key":"value"}'.`);
  }
  return value as Record<string, unknown>;
}

/**
 * Amplify's rule: the plugin word may be first or second (`forte add hosting` = `forte hosting add`);
 * core commands take no plugin word, so `forte push hosting` stays the core push of category hosting.
 */
export function resolveCommand(
  argv: string[],
  parsed: ParsedArgs,
  isCoreCommand: (word: string) => boolean,
  isPluginName: (word: string) => boolean,
): CliInput {
  const [first, second, ...rest] = parsed.words;
  const input = (plugin: string | undefined, command: string | undefined, subCommands: string[]): CliInput => ({
    argv,
    plugin,
    command,
    subCommands,
    options: parsed.options,
  });
  if (first === undefined) return input(undefined, undefined, []);
  if (isCoreCommand(first)) return input(undefined, first, parsed.words.slice(1));
  if (isPluginName(first)) return input(first, second, rest);
  if (second !== undefined && isPluginName(second)) return input(second, first, rest);
  return input(undefined, first, parsed.words.slice(1));
}
