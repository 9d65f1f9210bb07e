import { existsSync } from 'node:fs';
import { isUserError, UserError, type CategoryPlugin, type CliInput } from '@forte/protocol';
import { createCliContext, type CliContext } from './cli-context.js';
import type { Command } from './command.js';
import { assertKnownOptions } from './command-options.js';
import { COMMANDS, CORE_COMMAND_NAMES, cliVersion, findCommand } from './command-table.js';
import { logUnexpectedError } from './error-log.js';
import { forteHome } from './forte-home.js';
import { didYouMean } from './did-you-mean.js';
import { commandHelp, globalHelp } from './help-text.js';
import { runHooks, type HookEvent } from './hooks.js';
import { JSON_FLAGS, jsonFlag, parseArgs, resolveCommand } from './parse-args.js';
import { pluginCommandHelp, pluginCommandOptions } from './plugin-command-options.js';
import { openPluginRegistry, type PluginInfo } from './plugin-registry.js';
import { createPrinter } from './printer.js';
import { findProjectRoot, projectPaths } from './project-model.js';
import { createPrompter } from './prompter.js';
import { UsageError } from './usage-error.js';

/** Exit codes: 0 ok, 1 user error or fault, 2 usage, 130 cancelled (Ctrl-C at a question). */
export const EXIT = { ok: 0, error: 1, usage: 2, cancelled: 130 } as const;

/** Amplify Gen 1's categories: a word among them that Forte has no plugin for is not a typo but a category to come. */
const AMPLIFY_CATEGORIES = [
  'analytics',
  'api',
  'auth',
  'custom',
  'function',
  'geo',
  'hosting',
  'interactions',
  'notifications',
  'predictions',
  'storage',
  'xr',
];
const CATEGORY_VERBS = ['add', 'update', 'remove', 'configure'];

/** Runs one forte command line (argv without node and the script); resolves to the exit code. */
export async function runCli(argv: string[], options: { cwd?: string } = {}): Promise<number> {
  const home = forteHome();
  const print = createPrinter();
  try {
    const parsed = parseArgs(argv);
    const registry = openPluginRegistry({ home, coreCommands: CORE_COMMAND_NAMES });
    const input = yieldToPlugin(
      resolveCommand(
        argv,
        parsed,
        (w) => CORE_COMMAND_NAMES.has(w),
        (w) => registry.find(w).length > 0,
      ),
      (name) => registry.find(name),
    );
    const opts = input.options;
    if (input.command === undefined && input.plugin === undefined) {
      if (opts['version'] === true) print.info(cliVersion());
      else print.info(globalHelp(COMMANDS, registry.all()));
      return EXIT.ok;
    }
    // JSON flags are checked up front, so a malformed one fails before anything is written.
    for (const flag of JSON_FLAGS) jsonFlag(opts, flag);
    const yes = opts['yes'] === true || opts['headless'] === true;
    const ctx = createCliContext({ input, print, prompt: createPrompter({ yes }), cwd: options.cwd ?? process.cwd(), home, registry });
    if (input.plugin !== undefined) return await runPluginCommand(ctx, input);

    const command = findCommand(input.command ?? '');
    if (!command) {
      const categories = ctx.registry
        .all()
        .filter((p) => p.manifest.type === 'category')
        .map((p) => p.manifest.name);
      const word = input.command ?? '';
      if (CATEGORY_VERBS.includes(word)) {
        const category = input.subCommands[0];
        if (category !== undefined && AMPLIFY_CATEGORIES.includes(category) && !categories.includes(category)) {
          throw new UserError(
            `Forte has no ${category} category yet.`,
            `The categories Forte has today: ${categories.join(', ')}. A project's ${category} resources stay as they are in amplify/backend until then.`,
          );
        }
        const suggestion = category === undefined ? '' : didYouMean(category, categories, (c) => `forte ${word} ${c}`);
        throw new UsageError(
          `Unknown command: ${[word, ...input.subCommands].join(' ')}.${suggestion}${categories.length > 0 ? ` Categories: ${categories.join(', ')} (e.g. forte ${word} ${categories[0] ?? ''}).` : ''}`,
        );
      }
      const words = [...CORE_COMMAND_NAMES, ...CATEGORY_VERBS, ...ctx.registry.all().map((p) => p.manifest.name)];
      throw new UsageError(`Unknown command: ${word}.${didYouMean(word, words, (w) => `forte ${w}`)}`);
    }
    if (opts['help'] === true) {
      print.info(commandHelp(command));
      return EXIT.ok;
    }
    if (opts['version'] === true && command.name !== 'version') {
      // Amplify: `-v` after a command means --verbose (`amplify status -v`); alone it is the version.
      if (!argv.includes('-v')) throw new UsageError(`--version is not an option of forte ${command.name}.`);
      delete opts['version'];
      opts['verbose'] = true;
    }
    assertKnownOptions(command.options, Object.keys(opts), `forte ${command.name}`);
    await withHooks(ctx, hookEventOf(command, input), () => command.run(ctx));
    return EXIT.ok;
  } catch (error) {
    return reportError(error, home, argv, print);
  }
}

/** `forte mock function x`: a core command that yields to plugins, followed by a plugin that has it, is the plugin's. */
function yieldToPlugin(input: CliInput, find: (name: string) => PluginInfo[]): CliInput {
  const command = input.plugin === undefined ? findCommand(input.command ?? '') : undefined;
  const [plugin, ...rest] = input.subCommands;
  if (!command?.yieldsToPlugins || plugin === undefined) return input;
  const has = find(plugin).some((p) => p.manifest.commands.includes(command.name));
  return has ? { ...input, plugin, subCommands: rest } : input;
}

function reportError(error: unknown, home: string, argv: string[], print: ReturnType<typeof createPrinter>): number {
  // @inquirer/prompts rejects a question with ExitPromptError when the user presses Ctrl-C: a cancel, not a fault.
  if (error instanceof Error && error.name === 'ExitPromptError') {
    process.stderr.write('Cancelled.\n');
    return EXIT.cancelled;
  }
  if (error instanceof UsageError) {
    print.error(error.message);
    process.stderr.write('Run `forte help` to see the commands and their options.\n');
    return EXIT.usage;
  }
  if (isUserError(error)) {
    print.error(error.message);
    if (error.resolution) process.stderr.write(`  ${error.resolution}\n`);
    return EXIT.error;
  }
  const file = logUnexpectedError(home, argv, error);
  print.error(`An unexpected error occurred: ${error instanceof Error ? error.message : String(error)} (details: ${file})`);
  return EXIT.error;
}

function hookEventOf(command: Command, input: CliInput): Pick<HookEvent, 'command' | 'subCommand'> {
  // Amplify names env hooks after the subcommand: post-checkout-env.sh.
  if (command.name === 'env' && input.subCommands[0]) return { command: input.subCommands[0], subCommand: 'env' };
  const sub = command.name === 'push' ? input.subCommands[0] : undefined;
  return { command: command.name, ...(sub ? { subCommand: sub } : {}) };
}

/** Runs pre hooks, the command, then post hooks (only inside a project: hooks live in amplify/hooks). */
async function withHooks(ctx: CliContext, names: Pick<HookEvent, 'command' | 'subCommand'>, run: () => Promise<void>): Promise<void> {
  const root = findProjectRoot(ctx.cwd);
  // Hooks need an environment; a freshly cloned project has none until `env checkout` or `pull`.
  if (!root || !existsSync(projectPaths(root).localEnvInfo)) return run();
  const project = ctx.project();
  const event = (): HookEvent => ({
    ...names,
    argv: ctx.input.argv,
    environment: {
      envName: project.envName,
      projectPath: root,
      ...(project.localEnvInfo.defaultEditor ? { defaultEditor: project.localEnvInfo.defaultEditor } : {}),
    },
  });
  await runHooks(root, 'pre', event());
  await run();
  // The project may be gone (forte delete): post hooks then have nowhere to live.
  if (findProjectRoot(ctx.cwd)) await runHooks(root, 'post', event());
}

/** `forte <verb> <category>` / `forte <category> <verb>`: forwarded to the category plugin. */
async function runPluginCommand(ctx: CliContext, input: CliInput): Promise<number> {
  const name = input.plugin ?? '';
  const infos = ctx.registry.find(name);
  // Amplify: the plugin word alone runs the plugin's command of the same name (`amplify codegen`), else shows help.
  if (input.command === undefined && input.options['help'] !== true) {
    const own = infos.find((p) => p.manifest.commands.includes(p.manifest.name));
    if (own) input = { ...input, command: own.manifest.name };
  }
  const commandOf = (p: PluginInfo): string | undefined => {
    const word = input.command;
    if (word === undefined) return undefined;
    const resolved = p.manifest.commandAliases?.[word] ?? word;
    return p.manifest.commands.includes(resolved) ? resolved : undefined;
  };
  const candidates = infos.filter((p) => commandOf(p) !== undefined);
  if (input.command === undefined || input.options['help'] === true) {
    const help = input.command === undefined ? undefined : pluginCommandHelp(infos, name, input.command);
    if (help) {
      ctx.print.info(help);
      return EXIT.ok;
    }
    const commands = [...new Set(infos.flatMap((p) => p.manifest.commands))];
    ctx.print.info(`Usage: forte ${name} <command> (or forte <command> ${name})\n\nCommands: ${commands.join(', ')}`);
    return EXIT.ok;
  }
  if (candidates.length === 0 && input.command === 'push' && infos.some((p) => p.manifest.type === 'category')) {
    // Amplify: `amplify <category> push [resource]` is `amplify push <category> [resource]`.
    const push = findCommand('push');
    if (push) {
      const pushInput: CliInput = { ...input, plugin: undefined, command: push.name, subCommands: [name, ...input.subCommands] };
      const pushCtx = { ...ctx, input: pushInput };
      await withHooks(pushCtx, hookEventOf(push, pushInput), () => push.run(pushCtx));
      return EXIT.ok;
    }
  }
  if (candidates.length === 0) {
    const commands = infos.flatMap((p) => [...p.manifest.commands, ...Object.keys(p.manifest.commandAliases ?? {})]);
    throw new UsageError(`The ${name} plugin has no command ${input.command}.${didYouMean(input.command, commands, (c) => `forte ${c} ${name}`)}`);
  }
  const info = await pickPlugin(ctx, name, candidates);
  const command = commandOf(info) ?? input.command;
  const declared = pluginCommandOptions(info, command);
  if (declared) assertKnownOptions(declared, Object.keys(input.options), `forte ${command} ${name}`, ` See forte ${command} ${name} --help.`);
  const pluginInput: CliInput = { ...input, plugin: info.manifest.name, command };
  const pluginCtx = { ...ctx, input: pluginInput };
  const plugin = await ctx.loadPlugin<CategoryPlugin>(info);
  await withHooks(pluginCtx, { command, subCommand: info.manifest.name }, async () => {
    if (input.options['headless'] === true) {
      if (!plugin.executeHeadlessCommand)
        throw new UserError(`forte ${command} ${name} has no headless mode.`, 'Run it without --headless (use --yes for the defaults).');
      await plugin.executeHeadlessCommand(pluginCtx, await ctx.readHeadlessPayload());
    } else {
      await plugin.executeCommand(pluginCtx);
    }
  });
  return EXIT.ok;
}

/** Amplify's smart pick among same-name plugins: the one whose services the project already uses, else ask. */
async function pickPlugin(ctx: CliContext, name: string, candidates: PluginInfo[]): Promise<PluginInfo> {
  const [first] = candidates;
  if (!first) throw new UsageError(`No plugin named ${name}.`);
  if (candidates.length === 1) return first;
  const root = findProjectRoot(ctx.cwd);
  if (root) {
    const used = new Set(Object.values(ctx.project().readBackendConfig()[name] ?? {}).map((r) => r.service));
    const match = candidates.find((p) => (p.manifest.services ?? []).some((s) => used.has(s)));
    if (match) return match;
  }
  const chosen = await ctx.prompt.select({
    message: 'Select the plugin module to execute',
    choices: candidates.map((p) => ({ name: p.manifest.displayName ?? p.packageName, value: p.packageLocation })),
  });
  return candidates.find((p) => p.packageLocation === chosen) ?? first;
}
