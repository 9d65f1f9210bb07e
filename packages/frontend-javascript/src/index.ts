import type { PluginContext } from '@forte/protocol';
import { javascriptConfigOf, projectDir } from './frontend-config.js';
import { runProjectCommand } from './run-project-command.js';

export { initFrontend as init, describeSettings } from './init-frontend.js';
export { createFrontendConfigs, AWS_EXPORTS_FILE, AMPLIFY_OUTPUTS_FILE } from './create-frontend-configs.js';
export { awsExportsConfig, renderAwsExports } from './aws-exports.js';
export { amplifyOutputs, AMPLIFY_OUTPUTS_VERSION, type AmplifyOutputsSources } from './amplify-outputs.js';
export { readModelIntrospection, MODEL_INTROSPECTION_FILE } from './model-introspection.js';
export { detectFramework, FRAMEWORK_DEFAULTS, FRAMEWORKS, type Framework, type JavascriptConfig } from './frameworks.js';

/** Runs the project's BuildCommand (the first step of `forte publish`). */
export function build(ctx: PluginContext): Promise<void> {
  return runProjectCommand(ctx, 'BuildCommand');
}

/** Runs the project's StartCommand (`forte run`). */
export function start(ctx: PluginContext): Promise<void> {
  return runProjectCommand(ctx, 'StartCommand');
}

/** Absolute path of the DistributionDir (what `forte publish` deploys). */
export function distributionDir(ctx: PluginContext): string {
  const project = ctx.project();
  return projectDir(project, javascriptConfigOf(project).DistributionDir);
}
