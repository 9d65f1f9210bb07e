import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@forte/protocol';
import { YAMLError, parse as parseYaml, stringify as stringifyYaml } from 'yaml';

/** A value of a YAML document (JSON's values). */
export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

/** Amplify's codegen configuration file, at the project root. */
export const GRAPHQL_CONFIG_FILE = '.graphqlconfig.yml';

/** `projects.<name>.extensions.amplify` of `.graphqlconfig.yml`. */
export interface AmplifyCodegenExtension {
  /** javascript | typescript | flow | angular (swift for iOS projects). */
  codeGenTarget: string;
  /** The types file (`src/API.ts`); empty for javascript, which has no types. */
  generatedFileName: string;
  /** Folder of the generated statements (`src/graphql`). */
  docsFilePath: string;
  region?: string;
  /** null for the project's own API (Amplify writes it so). */
  apiId?: string | null;
  maxDepth?: number;
  typenameIntrospection?: boolean;
  [key: string]: YamlValue | undefined;
}

/** One API registered for codegen, with project-relative posix paths as in the file. */
export interface CodegenProject {
  projectName: string;
  schemaPath: string;
  includes: string[];
  excludes: string[];
  amplifyExtension: AmplifyCodegenExtension;
}

/** The whole file: the parsed document (kept, so keys Forte does not know survive a save) and its projects. */
export interface GraphqlConfig {
  file: string;
  document: { [key: string]: YamlValue };
  projects: CodegenProject[];
}

const FIX = `Fix ${GRAPHQL_CONFIG_FILE}, or delete it and run \`forte codegen add\`.`;

/** Reads `<root>/.graphqlconfig.yml` (no file: no projects); projects without `extensions.amplify` are kept but not listed. */
export function readGraphqlConfig(root: string): GraphqlConfig {
  const file = join(root, GRAPHQL_CONFIG_FILE);
  if (!existsSync(file)) return { file, document: {}, projects: [] };
  let parsed: YamlValue;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8')) as YamlValue;
  } catch (error) {
    if (error instanceof YAMLError) throw new UserError(`${file}: ${error.message.split('\n')[0]}.`, FIX, { cause: error });
    throw error;
  }
  if (parsed === null || parsed === undefined) return { file, document: {}, projects: [] };
  if (!isMap(parsed)) throw new UserError(`${file} is not a mapping of settings.`, FIX);
  const projects = isMap(parsed['projects']) ? parsed['projects'] : {};
  return {
    file,
    document: parsed,
    projects: Object.entries(projects)
      .filter(([, p]) => isMap(p) && isMap(p['extensions']) && isMap(p['extensions']['amplify']))
      .map(([name, p]) => toProject(name, p as { [key: string]: YamlValue }, file)),
  };
}

function toProject(projectName: string, raw: { [key: string]: YamlValue }, file: string): CodegenProject {
  const amplify = (raw['extensions'] as { [key: string]: YamlValue })['amplify'] as { [key: string]: YamlValue };
  const strings = (key: string): string[] => {
    const value = raw[key];
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v) => typeof v === 'string')) throw new UserError(`${file}: projects.${projectName}.${key} must be a list of glob patterns.`, FIX);
    return list as string[];
  };
  if (typeof raw['schemaPath'] !== 'string') throw new UserError(`${file}: projects.${projectName} has no schemaPath.`, FIX);
  const text = (key: string): string => (typeof amplify[key] === 'string' ? (amplify[key] as string) : '');
  const maxDepth = amplify['maxDepth'];
  return {
    projectName,
    schemaPath: raw['schemaPath'],
    includes: strings('includes'),
    excludes: strings('excludes'),
    amplifyExtension: {
      ...amplify,
      codeGenTarget: text('codeGenTarget'),
      generatedFileName: text('generatedFileName'),
      docsFilePath: text('docsFilePath'),
      // Amplify's `--yes` once wrote `maxDepth: true`; it means the default.
      ...(typeof maxDepth === 'number' ? { maxDepth } : { maxDepth: undefined }),
    },
  };
}

/** Adds or replaces a project, in Amplify's shape (extensions.amplify.version 3 marks the current format). */
export function putProject(config: GraphqlConfig, project: CodegenProject): void {
  const extension: { [key: string]: YamlValue } = {};
  for (const [key, value] of Object.entries(project.amplifyExtension)) if (value !== undefined) extension[key] = value;
  const projects = isMap(config.document['projects']) ? config.document['projects'] : {};
  projects[project.projectName] = {
    schemaPath: project.schemaPath,
    includes: project.includes,
    excludes: project.excludes,
    extensions: { amplify: extension },
  };
  config.document['projects'] = projects;
  const extensions = isMap(config.document['extensions']) ? config.document['extensions'] : {};
  extensions['amplify'] = { ...(isMap(extensions['amplify']) ? extensions['amplify'] : {}), version: 3 };
  config.document['extensions'] = extensions;
  config.projects = [...config.projects.filter((p) => p.projectName !== project.projectName), project];
}

/** Drops a project from the document (other projects and settings stay). */
export function removeProject(config: GraphqlConfig, projectName: string): void {
  const projects = config.document['projects'];
  if (isMap(projects)) delete projects[projectName];
  config.projects = config.projects.filter((p) => p.projectName !== projectName);
}

/** Writes the document back in block style (as js-yaml, which Amplify uses, writes it). */
export function writeGraphqlConfig(config: GraphqlConfig): void {
  writeFileSync(config.file, stringifyYaml(config.document, { singleQuote: true }));
}

function isMap(value: YamlValue | undefined): value is { [key: string]: YamlValue } {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);
}
