import type { Command } from '../command.js';
import { profileOption } from '../command-options.js';

export const consoleCommand: Command = {
  name: 'console',
  summary: "Prints the address of the cloud's web console.",
  usage: 'forte console',
  options: [profileOption()],
  needsProject: false,
  async run(ctx) {
    if (typeof ctx.input.options['profile'] === 'string') ctx.useProfile(ctx.input.options['profile']);
    const { endpoint } = await ctx.cloud();
    ctx.print.info(`${endpoint}/console/`);
    ctx.print.info('(The web console arrives in a later release of Forte.)');
  },
};
