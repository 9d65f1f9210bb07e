import type { Command } from '../command.js';
import { deleteProject } from '../environments.js';

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Deletes every environment and the app in the cloud, then the local amplify folder.',
  usage: 'forte delete [--yes]',
  flags: ['force'],
  needsProject: true,
  run: (ctx) => deleteProject(ctx),
};
