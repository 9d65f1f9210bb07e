import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { generateModels, type GenerateModelsOptions, type ModelsTarget } from '@aws-amplify/graphql-generator';
import { UserError, type Project } from '@forte/protocol';
import { findGraphqlApi, readInputSchema, toPosix } from './api-resource.js';
import { javascriptSettings } from './codegen-targets.js';

/** `--target` of `forte codegen models` (Amplify's platforms) → the modelgen target. */
const PLATFORM_TARGETS: Record<string, ModelsTarget> = {
  javascript: 'javascript',
  typescript: 'typescript',
  android: 'java',
  ios: 'swift',
  flutter: 'dart',
  introspection: 'introspection',
};

export interface ModelsOptions {
  /** A platform of PLATFORM_TARGETS; default: the project's frontend. */
  target?: string;
  /** Project-relative output folder; default: the platform's models folder (`<SourceDir>/models`). */
  outputDir?: string;
  /** Project-relative schema file or folder instead of the API's. */
  modelSchema?: string;
}

/** Generates DataStore models (or model-introspection.json) from the API's input schema; returns the output folder and files. */
export async function writeModels(project: Project, options: ModelsOptions): Promise<{ dir: string; files: string[] }> {
  const platform = options.target ?? project.config.frontend;
  const target = PLATFORM_TARGETS[platform];
  if (!target) throw new UserError(`Models cannot be generated for ${platform}.`, `Pass --target with one of ${Object.keys(PLATFORM_TARGETS).join(', ')}.`);
  const schema = readInputSchema(project, findGraphqlApi(project), options.modelSchema);
  const dir = options.outputDir ?? defaultModelsDir(project, platform);
  let output: Record<string, string>;
  try {
    output = await generateModels({ schema, target, ...featureFlags(project) });
  } catch (error) {
    throw new UserError(
      `Generating models failed: ${error instanceof Error ? error.message : String(error)}`,
      "Check the API's schema with `forte api gql-compile`.",
      { cause: error },
    );
  }
  const base = join(project.root, dir);
  const files = Object.entries(output).map(([file, content]) => {
    const path = join(base, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return toPosix(relative(project.root, path));
  });
  if (target === 'javascript' || target === 'typescript') ignoreForEslint(project.root, dir);
  return { dir: toPosix(dir), files };
}

function defaultModelsDir(project: Project, platform: string): string {
  switch (platform) {
    case 'android':
      return 'app/src/main/java';
    case 'ios':
      return 'amplify/generated/models';
    case 'flutter':
      return 'lib/models';
    default: {
      const source = javascriptSettings(project).sourceDir.replace(/^\.?\/+/, '');
      return toPosix(join(source === '' ? '.' : source, 'models'));
    }
  }
}

/** The modelgen options Amplify reads from amplify/cli.json's feature flags (absent flags keep the generator's defaults). */
function featureFlags(project: Project): Partial<GenerateModelsOptions> {
  const file = join(project.amplifyDir, 'cli.json');
  let features: Record<string, Record<string, unknown> | undefined> = {};
  try {
    if (existsSync(file)) features = (JSON.parse(readFileSync(file, 'utf8')) as { features?: typeof features }).features ?? {};
  } catch (error) {
    throw new UserError(`${file} is not valid JSON.`, "Fix the file (it holds the project's feature flags).", { cause: error });
  }
  const flag = (section: string, name: string): boolean | undefined => {
    const value = features[section]?.[name];
    return typeof value === 'boolean' ? value : undefined;
  };
  const options: Partial<GenerateModelsOptions> = {
    generateIndexRules: flag('codegen', 'generateindexrules'),
    emitAuthProvider: flag('codegen', 'emitauthprovider'),
    addTimestampFields: flag('codegen', 'addtimestampfields'),
    handleListNullabilityTransparently: flag('codegen', 'handlelistnullabilitytransparently'),
    generateModelsForLazyLoadAndCustomSelectionSet: flag('codegen', 'generatemodelsforlazyloadandcustomselectionset'),
    improvePluralization: flag('graphqltransformer', 'improvepluralization'),
    respectPrimaryKeyAttributesOnConnectionField: flag('graphqltransformer', 'respectprimarykeyattributesonconnectionfield'),
    useExperimentalPipelinedTransformer: flag('graphqltransformer', 'useexperimentalpipelinedtransformer'),
  };
  const version = features['graphqltransformer']?.['transformerversion'];
  if (typeof version === 'number') options.transformerVersion = version;
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** Amplify adds the models folder to .eslintignore (generated code is not linted). */
function ignoreForEslint(root: string, dir: string): void {
  const file = join(root, '.eslintignore');
  const entry = toPosix(dir);
  if (!existsSync(file)) {
    writeFileSync(file, `${entry}\n`);
    return;
  }
  const text = readFileSync(file, 'utf8');
  if (!text.split(/\r?\n/).includes(entry)) writeFileSync(file, `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${entry}\n`);
}
