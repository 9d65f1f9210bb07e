import type { Command } from '../command.js';
import { yesOption } from '../command-options.js';
import { pushBackend } from '../push-backend.js';

export const runCommand: Command = {
  name: 'run',
  aliases: ['serve'],
  summary: 'Pushes the backend when it changed, then starts the frontend (its StartCommand).',
  usage: 'forte run [--yes]',
  options: [yesOption('push without asking to confirm the changes')],
  needsProject: true,
  async run(ctx) {
    await pushBackend(ctx);
    await (await ctx.frontend()).start(ctx);
  },
};
