import { UserError } from '@forte/protocol';
import type { Command } from '../command.js';
import { profileOption, yesOption } from '../command-options.js';
import { LOCAL_PROFILE, readProfiles, writeProfile } from '../profiles.js';

export const configureCommand: Command = {
  name: 'configure',
  summary: 'Saves a named cloud profile (endpoint and admin keys) in $FORTE_HOME/profiles.json.',
  usage: 'forte configure --profile NAME --endpoint URL --access-key-id K --secret-access-key S [--region R]',
  options: [
    profileOption('the name to save the profile under (asked when not given)'),
    { name: 'endpoint', value: 'URL', description: "the cloud's address, e.g. https://forte.example.com" },
    { name: 'access-key-id', value: 'KEY', description: 'the admin access key id' },
    { name: 'secret-access-key', value: 'SECRET', description: 'the admin secret access key' },
    { name: 'region', value: 'REGION', description: 'the region clients are configured with (default us-east-1)' },
    yesOption('take the default answer of every question not answered by an option'),
  ],
  needsProject: false,
  async run(ctx) {
    const o = ctx.input.options;
    const str = (key: string): string | undefined => (typeof o[key] === 'string' ? (o[key] as string) : undefined);
    const headless = str('endpoint') !== undefined || str('access-key-id') !== undefined;
    const name = str('profile') ?? (headless ? LOCAL_PROFILE : await ctx.prompt.input({ message: 'Profile name', default: 'remote' }));
    const existing = readProfiles(ctx.home)[name];
    const ask = async (key: string, message: string, fallback?: string): Promise<string> => {
      const value = str(key) ?? (headless ? fallback : await ctx.prompt.input({ message, ...(fallback ? { default: fallback } : {}) }));
      if (!value) throw new UserError(`--${key} is required.`, `Run: ${configureCommand.usage}`);
      return value;
    };
    const endpoint = (await ask('endpoint', 'Cloud endpoint URL', existing?.endpoint)).replace(/\/$/, '');
    const accessKeyId = await ask('access-key-id', 'Access key id', existing?.accessKeyId);
    const secretAccessKey = await ask('secret-access-key', 'Secret access key', existing?.secretAccessKey);
    const region = await ask('region', 'Region', existing?.region ?? 'us-east-1');
    writeProfile(ctx.home, name, { endpoint, accessKeyId, secretAccessKey, region });
    ctx.print.success(`Saved profile ${name} (${endpoint}).`);
  },
};
