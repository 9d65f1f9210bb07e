import type { Command } from '../command.js';
import { yesOption } from '../command-options.js';
import { deleteProject } from '../environments.js';

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Deletes every environment and the app in the cloud, then the local amplify folder.',
  usage: 'forte delete [--yes]',
  options: [{ name: 'force', short: 'f', description: 'delete without asking to confirm' }, yesOption('delete without asking to confirm')],
  needsProject: true,
  run: (ctx) => deleteProject(ctx),
};
