import type { Command } from '../command.js';
import { addEnvironment, initProject } from '../init-project.js';
import { findProjectRoot } from '../project-model.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'Creates a project in this folder and its first environment in the cloud (in a project: adds an environment).',
  usage: "forte init [--amplify '{\"projectName\":\"myapp\",\"envName\":\"dev\",\"defaultEditor\":\"code\"}'] [--frontend JSON] [--providers JSON] [--yes]",
  flags: ['amplify', 'frontend', 'providers', 'categories', 'envName', 'profile'],
  needsProject: false,
  async run(ctx) {
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
