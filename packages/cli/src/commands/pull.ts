import type { Command } from '../command.js';
import { pullProject } from '../pull-project.js';

export const pullCommand: Command = {
  name: 'pull',
  summary: 'Attaches this folder to an existing app and environment, or re-downloads the current one.',
  usage: 'forte pull [--appId ID --envName ENV | --amplify \'{"appId":"...","envName":"dev"}\'] [--restore] [--yes]',
  flags: ['appId', 'envName', 'restore', 'amplify', 'frontend', 'providers', 'categories', 'no-override', 'profile'],
  needsProject: false,
  run: (ctx) => pullProject(ctx),
};
