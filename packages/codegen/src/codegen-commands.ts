import { dirname } from 'node:path';
import { UserError, type PluginContext } from '@forte/protocol';
import { compiledSchemaPath, findGraphqlApi, readCompiledSchema, toPosix } from './api-resource.js';
import { QUESTIONS, askAddSettings, askConfigureSettings, type CodegenSettings } from './codegen-questions.js';
import { writeModels } from './generate-models.js';
import { writeStatements } from './generate-statements.js';
import { writeTypes } from './generate-types.js';
import {
  GRAPHQL_CONFIG_FILE,
  putProject,
  readGraphqlConfig,
  removeProject,
  writeGraphqlConfig,
  type CodegenProject,
  type GraphqlConfig,
} from './graphql-config.js';

const notConfigured = (): UserError => new UserError('Code generation is not configured.', 'Configure it with `forte codegen add`.');

/** `forte codegen add`: registers the project's API in .graphqlconfig.yml, then generates. */
export async function addCodegen(ctx: PluginContext): Promise<void> {
  if (ctx.input.options['apiId'] !== undefined) {
    throw new UserError(
      "`forte codegen add --apiId` is not supported: Forte generates code for the project's own API.",
      'Run `forte codegen add` without --apiId.',
    );
  }
  const project = ctx.project();
  const apiName = findGraphqlApi(project);
  const config = readGraphqlConfig(project.root);
  if (config.projects.length > 0) {
    throw new UserError(
      'Codegen supports only one GraphQL API per project.',
      'Change the settings with `forte codegen configure`, or run `forte codegen remove` first.',
    );
  }
  const schemaPath = compiledSchemaPath(project, apiName);
  // Fail before any question when there is nothing to generate from.
  readCompiledSchema(project, schemaPath);
  const settings = await askAddSettings(ctx);
  await configureAndGenerate(ctx, config, apiName, settings);
}

/** Records the API's settings in .graphqlconfig.yml, then generates what they ask for. */
export async function configureAndGenerate(ctx: PluginContext, config: GraphqlConfig, apiName: string, settings: CodegenSettings): Promise<void> {
  const entry = projectOf(apiName, compiledSchemaPath(ctx.project(), apiName), settings, ['./amplify/**'], regionOf(ctx));
  // Saved first: should generation fail, `forte codegen` retries with these settings.
  putProject(config, entry);
  writeGraphqlConfig(config);
  ctx.print.success(`Codegen is configured for ${apiName} in ${GRAPHQL_CONFIG_FILE}.`);
  await generate(ctx, entry, { statements: settings.generateDocs, types: settings.generateTypes });
}

/** `forte codegen configure` (alias `update`): the add questions with the current answers as defaults, then regenerates. */
export async function configureCodegen(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const config = readGraphqlConfig(project.root);
  const current = await pickProject(ctx, config.projects, QUESTIONS.selectApi);
  const ext = current.amplifyExtension;
  const settings = await askConfigureSettings(ctx, {
    target: ext.codeGenTarget,
    includes: current.includes,
    generatedFileName: ext.generatedFileName,
    maxDepth: ext.maxDepth,
  });
  // The types file must not be read back as a statements file.
  const excludes = settings.generatedFileName === '' ? current.excludes : [...new Set([...current.excludes, settings.generatedFileName])];
  const entry = projectOf(current.projectName, current.schemaPath, settings, excludes, ext.region);
  entry.amplifyExtension = { ...ext, ...entry.amplifyExtension };
  putProject(config, entry);
  writeGraphqlConfig(config);
  ctx.print.success(`Updated the codegen settings of ${current.projectName} in ${GRAPHQL_CONFIG_FILE}.`);
  await generate(ctx, entry, { statements: true, types: true });
}

/** `forte codegen remove`: drops the API's entry from .graphqlconfig.yml (generated files stay). */
export async function removeCodegen(ctx: PluginContext): Promise<void> {
  const config = readGraphqlConfig(ctx.project().root);
  const chosen = await pickProject(ctx, config.projects, QUESTIONS.removeApi);
  removeProject(config, chosen.projectName);
  writeGraphqlConfig(config);
  ctx.print.success(`Removed ${chosen.projectName} from ${GRAPHQL_CONFIG_FILE}; the generated files were kept.`);
}

/** `forte codegen` / `codegen statements` / `codegen types`: regenerate from .graphqlconfig.yml. */
export async function regenerate(ctx: PluginContext, what: { statements: boolean; types: boolean }): Promise<void> {
  const project = ctx.project();
  const config = readGraphqlConfig(project.root);
  if (config.projects.length === 0) throw notConfigured();
  let switched = false;
  for (const entry of config.projects) {
    // Older Amplify projects point at a downloaded introspection schema.json; the compiled SDL replaces it (Amplify's switchToSDLSchema).
    if (entry.schemaPath.endsWith('.json')) {
      const sdl = compiledSchemaPath(project, findGraphqlApi(project));
      ctx.print.info(`Using the compiled schema ${sdl} instead of ${entry.schemaPath}.`);
      entry.schemaPath = sdl;
      putProject(config, entry);
      switched = true;
    }
    await generate(ctx, entry, what);
  }
  if (switched) writeGraphqlConfig(config);
}

/** `forte codegen models [--target T] [--output-dir D] [--model-schema P]`; `model-introspection` is `--target introspection`. */
export async function generateModelFiles(ctx: PluginContext, options: { introspection: boolean }): Promise<void> {
  const flag = (name: string): string | undefined => {
    const value = ctx.input.options[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') throw new UserError(`--${name} needs a value.`, `Pass it as --${name} <value>.`);
    return value;
  };
  const target = options.introspection ? 'introspection' : flag('target');
  const outputDir = flag('output-dir') ?? flag('outputDir');
  const modelSchema = flag('model-schema') ?? flag('modelSchema');
  const { dir, files } = await writeModels(ctx.project(), {
    ...(target ? { target } : {}),
    ...(outputDir ? { outputDir } : {}),
    ...(modelSchema ? { modelSchema } : {}),
  });
  ctx.print.success(
    target === 'introspection'
      ? `Successfully generated the model introspection schema: ${files.join(', ')}`
      : `Successfully generated models. Generated models can be found in ${dir}`,
  );
}

async function generate(ctx: PluginContext, entry: CodegenProject, what: { statements: boolean; types: boolean }): Promise<void> {
  const root = ctx.project().root;
  const schema = readCompiledSchema(ctx.project(), entry.schemaPath);
  if (what.statements) {
    const files = writeStatements(root, entry, schema, maxDepthOption(ctx));
    if (files.length === 0) ctx.print.warn('No GraphQL statements are generated. Check if the schema has GraphQL operations defined.');
    else ctx.print.success(`Generated GraphQL operations successfully and saved at ${toPosix(dirname(files[0] ?? '.'))}`);
  }
  if (what.types) {
    const typesFile = await writeTypes(root, entry, schema);
    if (typesFile) ctx.print.success(`Code generated successfully and saved in file ${typesFile}`);
    else if (!what.statements)
      ctx.print.info(
        `${entry.projectName} has no types file (codeGenTarget ${entry.amplifyExtension.codeGenTarget}); change it with \`forte codegen configure\`.`,
      );
  }
}

function maxDepthOption(ctx: PluginContext): { maxDepth?: number } {
  const raw = ctx.input.options['maxDepth'] ?? ctx.input.options['max-depth'];
  if (raw === undefined) return {};
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number.parseInt(raw, 10) : 0;
  if (value <= 0) throw new UserError('--maxDepth must be an integer greater than 0.', 'Pass it as --maxDepth 3.');
  return { maxDepth: value };
}

async function pickProject(ctx: PluginContext, projects: CodegenProject[], message: string): Promise<CodegenProject> {
  const [first] = projects;
  if (!first) throw notConfigured();
  if (projects.length === 1) return first;
  const name = await ctx.prompt.select({ message, choices: projects.map((p) => ({ name: p.projectName, value: p.projectName })), default: first.projectName });
  return projects.find((p) => p.projectName === name) ?? first;
}

function projectOf(name: string, schemaPath: string, settings: CodegenSettings, excludes: string[], region: string | undefined): CodegenProject {
  return {
    projectName: name,
    schemaPath,
    includes: settings.includes,
    excludes,
    amplifyExtension: {
      codeGenTarget: settings.target,
      generatedFileName: settings.generatedFileName,
      docsFilePath: settings.docsFilePath,
      ...(region ? { region } : {}),
      apiId: null,
      ...(settings.maxDepth !== undefined ? { maxDepth: settings.maxDepth } : {}),
    },
  };
}

function regionOf(ctx: PluginContext): string {
  return ctx.project().readMeta().providers?.awscloudformation?.Region ?? 'us-east-1';
}
