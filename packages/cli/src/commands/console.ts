import { UserError } from '@forte/protocol';
import type { Command } from '../command.js';
import { profileOption } from '../command-options.js';
import { openBrowser } from '../open-browser.js';

export const consoleCommand: Command = {
  name: 'console',
  summary: "Opens the cloud's web console, signed in by a one-time login link (valid 10 minutes).",
  usage: 'forte console [--no-open] [--profile NAME]',
  options: [{ name: 'no-open', description: 'print the login link without opening a browser' }, profileOption()],
  needsProject: false,
  async run(ctx) {
    if (typeof ctx.input.options['profile'] === 'string') ctx.useProfile(ctx.input.options['profile']);
    const provider = await ctx.provider();
    if (!provider.createConsoleLoginLink)
      throw new UserError(
        'The installed cloud provider plugin cannot open the console.',
        'Update the awscloudformation provider plugin (@forte/provider-cloud).',
      );
    const { url, expiresAt } = await provider.createConsoleLoginLink(ctx);
    ctx.print.info(`Console login link (works once, until ${expiresAt}):`);
    ctx.print.info(`  ${url}`);
    if (ctx.input.options['no-open'] === true) return;
    if (!(await openBrowser(url))) ctx.print.info('No browser to open here: open the link above in yours.');
  },
};
