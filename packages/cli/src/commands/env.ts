import { UserError } from '@forte/protocol';
import type { Command } from '../command.js';
import { profileOption, yesOption } from '../command-options.js';
import { checkoutEnvironment, removeEnvironment, syncEnvironment } from '../environments.js';
import { addEnvironment } from '../init-project.js';
import { restoreDeletedData } from '../restore-deleted-data.js';
import { UsageError } from '../usage-error.js';

const SUBCOMMANDS = ['add', 'checkout', 'list', 'get', 'pull', 'remove', 'restore-deleted'];

export const envCommand: Command = {
  name: 'env',
  summary:
    'Environments: add [name] | checkout <name> [--restore] | list [--json] [--details] | get --name <env> [--json] | pull [--restore] | remove <name> | restore-deleted [resource] (data pushes deleted, back into the resources deployed now).',
  usage: 'forte env <add|checkout|list|get|pull|remove|restore-deleted> ...',
  options: [
    { name: 'name', value: 'ENV', description: 'the environment, instead of the word after the subcommand' },
    { name: 'envName', value: 'ENV', description: "checkout, remove, get: the same as --name (Amplify's spelling)" },
    { name: 'restore', description: "checkout, pull: also replace backend/ with the environment's deployed version" },
    { name: 'json', description: 'list, get: print JSON' },
    { name: 'details', description: "list: print each environment's provider settings" },
    profileOption('add: the cloud profile of the new environment'),
    yesOption('add: take the default name; remove: delete without asking to confirm'),
  ],
  needsProject: true,
  async run(ctx) {
    const [sub, arg] = ctx.input.subCommands;
    const named = (): string => {
      const name =
        arg ??
        (typeof ctx.input.options['name'] === 'string' ? ctx.input.options['name'] : undefined) ??
        (typeof ctx.input.options['envName'] === 'string' ? ctx.input.options['envName'] : undefined);
      if (!name) throw new UserError(`forte env ${sub ?? ''} needs an environment name.`, `Run forte env ${sub ?? ''} <name>.`);
      return name;
    };
    switch (sub) {
      case 'add':
        return addEnvironment(ctx, arg ?? (typeof ctx.input.options['name'] === 'string' ? ctx.input.options['name'] : undefined));
      case 'checkout':
        return checkoutEnvironment(ctx, named(), { restore: ctx.input.options['restore'] === true });
      case 'pull':
        await syncEnvironment(ctx, { restore: ctx.input.options['restore'] === true });
        ctx.print.success(`Pulled environment ${ctx.project().envName}.`);
        return;
      case 'remove':
        return removeEnvironment(ctx, named());
      case 'restore-deleted':
        return restoreDeletedData(ctx, arg);
      case 'list': {
        const project = ctx.project();
        const tpi = project.readTeamProviderInfo();
        const envs = Object.keys(tpi);
        if (ctx.input.options['json'] === true) {
          ctx.print.info(JSON.stringify({ envs }));
        } else if (ctx.input.options['details'] === true) {
          for (const env of envs) ctx.print.info(`${env === project.envName ? '*' : ''}${env}:\n${JSON.stringify(tpi[env], null, 2)}\n`);
        } else {
          const rows = ['Environments', ...envs.map((e) => (e === project.envName ? `*${e}` : e))];
          const width = Math.max(...rows.map((r) => r.length));
          ctx.print.info(
            `\n| ${'Environments'.padEnd(width)} |\n| ${'-'.repeat(width)} |\n${rows
              .slice(1)
              .map((r) => `| ${r.padEnd(width)} |`)
              .join('\n')}\n`,
          );
        }
        return;
      }
      case 'get': {
        const name = named();
        const entry = ctx.project().readTeamProviderInfo()[name];
        if (!entry) throw new UserError(`No environment named ${name}.`, 'See the environments with `forte env list`.');
        ctx.print.info(ctx.input.options['json'] === true ? JSON.stringify({ [name]: entry }) : `${name}:\n${JSON.stringify(entry, null, 2)}`);
        return;
      }
      default:
        throw new UsageError(
          sub ? `Unknown env subcommand: ${sub} (one of ${SUBCOMMANDS.join(', ')}).` : `forte env needs a subcommand: ${SUBCOMMANDS.join(', ')}.`,
        );
    }
  },
};
