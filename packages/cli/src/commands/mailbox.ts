import { UserError } from '@forte/protocol';
import type { Command } from '../command.js';
import { profileOption } from '../command-options.js';

export const mailboxCommand: Command = {
  name: 'mailbox',
  summary: "Lists the messages (verification, reset and MFA codes) the cloud's user pools sent, newest first.",
  usage: 'forte mailbox [--json] [--to ADDRESS] [--profile NAME]',
  options: [
    { name: 'to', value: 'ADDRESS', description: 'only the messages sent to this email address or phone number' },
    { name: 'json', description: 'print JSON' },
    profileOption(),
  ],
  needsProject: false,
  async run(ctx) {
    const { to, profile, json } = ctx.input.options;
    if (typeof profile === 'string') ctx.useProfile(profile);
    if (to === true || to === '')
      throw new UserError('--to needs an address.', 'Give the email address or phone number: `forte mailbox --to alice@example.com`.');
    const provider = await ctx.provider();
    if (!provider.listMailbox)
      throw new UserError(
        'The installed cloud provider plugin cannot read the mailbox.',
        'Update the awscloudformation provider plugin (@forte/provider-cloud).',
      );
    const messages = await provider.listMailbox(ctx, typeof to === 'string' ? { to } : {});
    if (json === true) {
      ctx.print.info(JSON.stringify(messages, null, 2));
      return;
    }
    if (messages.length === 0) {
      ctx.print.info(typeof to === 'string' ? `No messages to ${to}.` : 'The mailbox is empty.');
      return;
    }
    ctx.print.table([
      ['Sent', 'To', 'Purpose', 'Code', 'Subject / text'],
      ...messages.map((m) => [m.createdAt, m.to, m.purpose, m.code ?? '', m.subject ?? m.body.replace(/\s+/g, ' ').slice(0, 60)]),
    ]);
  },
};
