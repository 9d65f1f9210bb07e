import { UserError, type PluginContext } from '@forte/protocol';
import { defaultIncludePattern, defaultTypesFile, targetChoices, type CodegenTarget } from './codegen-targets.js';
import { globParent } from './file-glob.js';

/** Amplify's codegen questions (amplify-codegen constants.js), so answers and scripts carry over. */
export const QUESTIONS = {
  target: 'Choose the code generation language target',
  includePattern: 'Enter the file name pattern of graphql queries, mutations and subscriptions',
  generateDocs: 'Do you want to generate/update all possible GraphQL operations - queries, mutations and subscriptions',
  maxDepth: 'Enter maximum statement depth [increase from default if your schema is deeply nested]',
  typesFile: 'Enter the file name for the generated code',
  generateTypes: 'Do you want to generate code for your newly created GraphQL API',
  removeApi: 'Choose the AppSync API that you want to remove from codegen',
  selectApi: 'Choose the AppSync API',
} as const;

export const DEFAULT_MAX_DEPTH = 2;

export interface CodegenSettings {
  target: CodegenTarget;
  includes: string[];
  docsFilePath: string;
  /** Empty for javascript (no types file). */
  generatedFileName: string;
  maxDepth: number | undefined;
  generateDocs: boolean;
  generateTypes: boolean;
}

async function askTarget(ctx: PluginContext, current?: string): Promise<CodegenTarget> {
  const choices = targetChoices(ctx.project());
  const [first] = choices;
  if (choices.length === 1 && first) return first;
  const fallback = choices.find((c) => c === current) ?? choices[0];
  return ctx.prompt.select<CodegenTarget>({
    message: QUESTIONS.target,
    choices: choices.map((c) => ({ name: c, value: c })),
    ...(fallback ? { default: fallback } : {}),
  });
}

async function askIncludes(ctx: PluginContext, defaults: string[]): Promise<string[]> {
  const answer = await ctx.prompt.input({
    message: QUESTIONS.includePattern,
    default: defaults.join(','),
    validate: (value) => (value.split(',').some((p) => p.trim() !== '') ? true : 'Enter at least one pattern'),
  });
  return answer
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

async function askMaxDepth(ctx: PluginContext, current: number | undefined): Promise<number> {
  const answer = await ctx.prompt.input({
    message: QUESTIONS.maxDepth,
    default: String(current ?? DEFAULT_MAX_DEPTH),
    validate: (value) => (/^\s*\d+\s*$/.test(value) && Number.parseInt(value, 10) > 0 ? true : 'Depth should be a integer greater than 0'),
  });
  return Number.parseInt(answer, 10);
}

/** `forte codegen add`: target, statement files, whether to generate them, depth, types file. `--yes` takes every default. */
export async function askAddSettings(ctx: PluginContext): Promise<CodegenSettings> {
  const target = await askTarget(ctx);
  const includes = await askIncludes(ctx, [defaultIncludePattern(target)]);
  const generateDocs = await ctx.prompt.confirm({ message: QUESTIONS.generateDocs, default: true });
  const maxDepth = generateDocs ? await askMaxDepth(ctx, undefined) : undefined;
  let generatedFileName = '';
  let generateTypes = false;
  if (target !== 'javascript') {
    generatedFileName = await ctx.prompt.input({ message: QUESTIONS.typesFile, default: defaultTypesFile(target) });
    generateTypes = await ctx.prompt.confirm({ message: QUESTIONS.generateTypes, default: true });
  }
  return { target, includes, docsFilePath: docsPathOf(includes), generatedFileName, maxDepth, generateDocs, generateTypes };
}

/** Answers given on the command line (push's `--codegen` JSON, with Amplify's names): each skips its question. */
export interface CodegenAnswers {
  generateCode?: boolean;
  codeLanguage?: string;
  fileNamePattern?: string;
  generatedFileName?: string;
  generateDocs?: boolean;
  maxDepth?: number;
}

/**
 * After an API's first push, Amplify's questions in its order (prePushAddCallback, then the add walkthrough):
 * whether to generate code at all, target, statement files, whether to generate them, depth, types file.
 * `--yes` takes Amplify's headless defaults (generate, the first target, its default files, depth 2).
 * Undefined when the user declines.
 */
export async function askFirstPushSettings(ctx: PluginContext, given: CodegenAnswers): Promise<CodegenSettings | undefined> {
  const generate = given.generateCode ?? (await ctx.prompt.confirm({ message: QUESTIONS.generateTypes, default: true }));
  if (!generate) return undefined;
  const target = given.codeLanguage !== undefined ? checkTarget(ctx, given.codeLanguage) : await askTarget(ctx);
  const includes = given.fileNamePattern !== undefined ? [given.fileNamePattern] : await askIncludes(ctx, [defaultIncludePattern(target)]);
  const generateDocs = given.generateDocs ?? (await ctx.prompt.confirm({ message: QUESTIONS.generateDocs, default: true }));
  const maxDepth = generateDocs ? (given.maxDepth ?? (await askMaxDepth(ctx, undefined))) : undefined;
  let generatedFileName = '';
  if (target !== 'javascript')
    generatedFileName = given.generatedFileName || (await ctx.prompt.input({ message: QUESTIONS.typesFile, default: defaultTypesFile(target) }));
  return { target, includes, docsFilePath: docsPathOf(includes), generatedFileName, maxDepth, generateDocs, generateTypes: target !== 'javascript' };
}

function checkTarget(ctx: PluginContext, value: string): CodegenTarget {
  const choices = targetChoices(ctx.project());
  const found = choices.find((c) => c === value);
  if (!found)
    throw new UserError(
      `--codegen: codeLanguage ${JSON.stringify(value)} is not one of ${choices.join(', ')} for this project.`,
      `Pass one of ${choices.join(', ')}.`,
    );
  return found;
}

/** `forte codegen configure`: the same questions, each defaulting to the current setting. */
export async function askConfigureSettings(
  ctx: PluginContext,
  current: { target: string; includes: string[]; generatedFileName: string; maxDepth: number | undefined },
): Promise<CodegenSettings> {
  const target = await askTarget(ctx, current.target);
  const includes = await askIncludes(ctx, target === current.target && current.includes.length > 0 ? current.includes : [defaultIncludePattern(target)]);
  let generatedFileName = '';
  if (target !== 'javascript') {
    const fallback = target === current.target && current.generatedFileName !== '' ? current.generatedFileName : defaultTypesFile(target);
    generatedFileName = await ctx.prompt.input({ message: QUESTIONS.typesFile, default: fallback });
  }
  const maxDepth = await askMaxDepth(ctx, current.maxDepth);
  return { target, includes, docsFilePath: docsPathOf(includes), generatedFileName, maxDepth, generateDocs: true, generateTypes: generatedFileName !== '' };
}

/** Statements go to the fixed folder of the first pattern (Amplify's getGraphQLDocPath). */
function docsPathOf(includes: string[]): string {
  const [first] = includes;
  return first ? globParent(first) : 'src/graphql';
}
