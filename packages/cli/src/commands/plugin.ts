import { UserError } from '@forte/protocol';
import type { Command } from '../command.js';
import { UsageError } from '../usage-error.js';

export const pluginCommand: Command = {
  name: 'plugin',
  summary: 'Plugins: list | scan | add <path|name> | remove <name>.',
  usage: 'forte plugin <list|scan|add|remove> [...]',
  options: [],
  needsProject: false,
  async run(ctx) {
    const [sub, arg] = ctx.input.subCommands;
    const list = (): void => {
      const rows = [['Name', 'Type', 'Package', 'Version', 'Location']];
      for (const p of ctx.registry.all().sort((a, b) => a.manifest.name.localeCompare(b.manifest.name))) {
        rows.push([p.manifest.name, p.manifest.type, p.packageName, p.packageVersion, p.packageLocation]);
      }
      ctx.print.table(rows);
    };
    switch (sub) {
      case 'list':
      case undefined:
        list();
        return;
      case 'scan':
        ctx.registry.scan();
        ctx.print.success(`Scanned: ${ctx.registry.all().length} plugins found.`);
        list();
        return;
      case 'add': {
        if (!arg) throw new UserError('forte plugin add needs a folder or a package name.', 'Run forte plugin add <path|name>.');
        const info = ctx.registry.add(arg, ctx.cwd);
        ctx.print.success(`Added plugin ${info.manifest.name} (${info.packageName} at ${info.packageLocation}).`);
        return;
      }
      case 'remove': {
        if (!arg) throw new UserError('forte plugin remove needs a plugin name.', 'Run forte plugin remove <name> (see `forte plugin list`).');
        const removed = ctx.registry.remove(arg);
        ctx.print.success(`Removed ${removed.map((p) => p.packageName).join(', ')}.`);
        return;
      }
      default:
        throw new UsageError(`Unknown plugin subcommand: ${sub} (one of list, scan, add, remove).`);
    }
  },
};
