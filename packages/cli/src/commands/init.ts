import { existsSync } from 'node:fs';
import { attachProject } from '../attach-project.js';
import type { Command } from '../command.js';
import { profileOption, yesOption } from '../command-options.js';
import { addEnvironment, initProject } from '../init-project.js';
import { findProjectRoot, projectPaths } from '../project-model.js';

export const initCommand: Command = {
  name: 'init',
  summary:
    'Creates a project in this folder and its first environment in the cloud (in a project: adds an environment; in a cloned one without local settings: attaches it as a new environment).',
  usage: 'forte init [--amplify \'{"projectName":"myapp","envName":"dev","defaultEditor":"code"}\'] [--frontend JSON] [--providers JSON] [--yes]',
  options: [
    { name: 'amplify', short: 'a', value: 'JSON', description: 'the project: {"projectName","envName","defaultEditor"}' },
    { name: 'frontend', value: 'JSON', description: 'the frontend: {"frontend":"javascript","framework","config":{...}}' },
    { name: 'providers', short: 'p', value: 'JSON', description: 'the provider: {"awscloudformation":{"useProfile":true,"profileName":"NAME"}}' },
    {
      name: 'categories',
      value: 'JSON',
      description: 'values a repository never holds, for a cloned project: {"auth":{"googleAppIdUserPool","googleAppSecretUserPool",...}}',
    },
    { name: 'envName', value: 'ENV', description: "the first environment's name (in a project: the environment to add)" },
    profileOption(),
    yesOption(),
  ],
  needsProject: false,
  async run(ctx) {
    if (findProjectRoot(ctx.cwd) === ctx.cwd && !existsSync(projectPaths(ctx.cwd).localEnvInfo)) {
      // A fresh clone of a project: amplify/ is there, no environment of this machine yet.
      await attachProject(ctx, ctx.cwd);
      return;
    }
    if (findProjectRoot(ctx.cwd) === ctx.cwd) {
      const amplify = ctx.input.options['amplify'];
      const fromFlag = typeof ctx.input.options['envName'] === 'string' ? ctx.input.options['envName'] : undefined;
      const fromJson = typeof amplify === 'string' ? (JSON.parse(amplify) as { envName?: string }).envName : undefined;
      await addEnvironment(ctx, fromFlag ?? fromJson);
      return;
    }
    await initProject(ctx);
  },
};
