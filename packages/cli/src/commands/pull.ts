import type { Command } from '../command.js';
import { profileOption, yesOption } from '../command-options.js';
import { pullProject } from '../pull-project.js';

export const pullCommand: Command = {
  name: 'pull',
  summary: 'Attaches this folder to an existing app and environment, or re-downloads the current one.',
  usage: 'forte pull [--appId ID --envName ENV | --amplify \'{"appId":"...","envName":"dev"}\'] [--restore] [--yes]',
  options: [
    { name: 'appId', value: 'ID', description: 'the app to attach this folder to' },
    { name: 'envName', value: 'ENV', description: 'its environment' },
    { name: 'amplify', short: 'a', value: 'JSON', description: 'the same as JSON: {"appId","envName","defaultEditor"}' },
    { name: 'frontend', value: 'JSON', description: 'the frontend: {"frontend":"javascript","framework","config":{...}}' },
    { name: 'providers', short: 'p', value: 'JSON', description: 'the provider: {"awscloudformation":{"useProfile":true,"profileName":"NAME"}}' },
    { name: 'restore', description: "also replace backend/ with the environment's deployed version" },
    profileOption(),
    yesOption(),
  ],
  needsProject: false,
  run: (ctx) => pullProject(ctx),
};
