import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AmplifyMeta, PluginContext } from '@forte/protocol';
import { amplifyOutputs } from './amplify-outputs.js';
import { awsExportsConfig, renderAwsExports } from './aws-exports.js';
import { javascriptConfigOf, projectDir } from './frontend-config.js';
import { readModelIntrospection } from './model-introspection.js';

export const AWS_EXPORTS_FILE = 'aws-exports.js';
export const AMPLIFY_OUTPUTS_FILE = 'amplify_outputs.json';

/**
 * Writes `<SourceDir>/aws-exports.js` and `amplify_outputs.json` (project root, with the GraphQL API's model
 * introspection from its build folder); returns both paths.
 */
export async function createFrontendConfigs(ctx: PluginContext, meta: AmplifyMeta): Promise<string[]> {
  const project = ctx.project();
  const sourceDir = projectDir(project, javascriptConfigOf(project).SourceDir);
  mkdirSync(sourceDir, { recursive: true });
  const exportsPath = join(sourceDir, AWS_EXPORTS_FILE);
  writeFileSync(exportsPath, renderAwsExports(awsExportsConfig(meta)));
  const outputsPath = join(project.root, AMPLIFY_OUTPUTS_FILE);
  const outputs = amplifyOutputs(meta, { modelIntrospection: (category, resourceName) => readModelIntrospection(project, category, resourceName) });
  writeFileSync(outputsPath, `${JSON.stringify(outputs, null, 2)}\n`);
  return [exportsPath, outputsPath];
}
