import { UserError, type PluginContext, type PushedResources, type ResourceRef } from '@forte/protocol';
import { askFirstPushSettings, type CodegenAnswers } from './codegen-questions.js';
import { readGraphqlConfig } from './graphql-config.js';

const isGraphqlApi = (r: ResourceRef): boolean => r.category === 'api' && r.service === 'AppSync';

/**
 * The PostPush event, as Amplify's codegen hooks into push: when the push deployed a GraphQL API and
 * .graphqlconfig.yml configures codegen, the statements and types are generated again from the schema just
 * pushed; when the API was pushed for the first time and codegen is not configured, Amplify's questions
 * are asked (`--codegen` JSON answers them; `--yes` takes Amplify's headless defaults, which generate).
 */
export async function handlePostPush(ctx: PluginContext, pushed: PushedResources): Promise<void> {
  if (![...pushed.created, ...pushed.updated].some(isGraphqlApi)) return;
  // Loaded only now: the generators take seconds to load, and most pushes deploy no API.
  const { configureAndGenerate, regenerate } = await import('./codegen-commands.js');
  const config = readGraphqlConfig(ctx.project().root);
  if (config.projects.length > 0) return regenerate(ctx, { statements: true, types: true });
  const created = pushed.created.find(isGraphqlApi);
  if (!created) return; // codegen was removed on purpose: Amplify asks only for a newly created API
  const settings = await askFirstPushSettings(ctx, codegenAnswers(ctx.input.options['codegen']));
  if (!settings) {
    ctx.print.info('No GraphQL code was generated; `forte codegen add` sets it up later.');
    return;
  }
  await configureAndGenerate(ctx, config, created.resourceName, settings);
}

/** push's `--codegen '{"generateCode":true,"codeLanguage":"javascript","fileNamePattern":"src/graphql/**\/*.js","generateDocs":true,"maxDepth":2}'`. */
export function codegenAnswers(raw: string | boolean | undefined): CodegenAnswers {
  if (raw === undefined) return {};
  const fix =
    'Pass it as --codegen \'{"generateCode":true,"codeLanguage":"javascript","fileNamePattern":"src/graphql/**/*.js","generateDocs":true,"maxDepth":2}\'.';
  let value: unknown;
  try {
    value = typeof raw === 'string' ? JSON.parse(raw) : undefined;
  } catch (error) {
    throw new UserError(`--codegen is not valid JSON: ${(error as Error).message}`, fix);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError('--codegen must be a JSON object.', fix);
  const v = value as Record<string, unknown>;
  const answers: CodegenAnswers = {};
  const bool = (key: 'generateCode' | 'generateDocs'): void => {
    if (v[key] === undefined) return;
    if (typeof v[key] !== 'boolean') throw new UserError(`--codegen: ${key} must be true or false.`, fix);
    answers[key] = v[key];
  };
  const text = (key: 'codeLanguage' | 'fileNamePattern' | 'generatedFileName'): void => {
    if (v[key] === undefined) return;
    if (typeof v[key] !== 'string') throw new UserError(`--codegen: ${key} must be a string.`, fix);
    answers[key] = v[key];
  };
  bool('generateCode');
  bool('generateDocs');
  text('codeLanguage');
  text('fileNamePattern');
  text('generatedFileName');
  if (v['maxDepth'] !== undefined) {
    if (typeof v['maxDepth'] !== 'number' || !Number.isInteger(v['maxDepth']) || v['maxDepth'] < 1)
      throw new UserError('--codegen: maxDepth must be an integer greater than 0.', fix);
    answers.maxDepth = v['maxDepth'];
  }
  return answers;
}
