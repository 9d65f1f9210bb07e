import { UserError, type Project } from '@forte/protocol';

/** Languages of `codeGenTarget` for a JavaScript frontend (Amplify's frontEndToTargetMappings). */
export type CodegenTarget = 'javascript' | 'typescript' | 'flow' | 'angular';

export const CODEGEN_TARGETS: readonly CodegenTarget[] = ['javascript', 'typescript', 'flow', 'angular'];

/** Whether `value` is a codeGenTarget Forte generates statements for. */
export function isCodegenTarget(value: string): value is CodegenTarget {
  return (CODEGEN_TARGETS as readonly string[]).includes(value);
}

/** The frontend section of project-config.json for `javascript` (framework, SourceDir). */
export function javascriptSettings(project: Project): { framework: string; sourceDir: string } {
  const section = project.config['javascript'] as { framework?: unknown; config?: { SourceDir?: unknown } } | undefined;
  const framework = typeof section?.framework === 'string' ? section.framework : 'none';
  const sourceDir = typeof section?.config?.SourceDir === 'string' ? section.config.SourceDir : 'src';
  return { framework, sourceDir };
}

/** The targets the user may pick: Angular and Ionic apps get Angular services, other JavaScript apps JS/TS/Flow. */
export function targetChoices(project: Project): CodegenTarget[] {
  if (project.config.frontend !== 'javascript') {
    throw new UserError(
      `The project frontend ${project.config.frontend} is not supported by codegen.`,
      'Forte generates GraphQL code for JavaScript projects (frontend javascript in amplify/.config/project-config.json).',
    );
  }
  const { framework } = javascriptSettings(project);
  return framework === 'angular' || framework === 'ionic' ? ['angular', 'typescript'] : ['javascript', 'typescript', 'flow'];
}

/** Default glob of the statement files for a target (`src/graphql/**\/*.js`). */
export function defaultIncludePattern(target: CodegenTarget): string {
  const extension = target === 'typescript' ? 'ts' : target === 'angular' ? 'graphql' : 'js';
  return `src/graphql/**/*.${extension}`;
}

/** Default types file (graphql-types-generator's getOutputFileName('API', target)); javascript has none. */
export function defaultTypesFile(target: CodegenTarget): string {
  switch (target) {
    case 'typescript':
      return 'src/API.ts';
    case 'flow':
      return 'src/API.js';
    case 'angular':
      return 'src/app/API.service.ts';
    case 'javascript':
      return '';
  }
}

/** File extension of the generated statements (Amplify's FILE_EXTENSION_MAP). */
export function statementsExtension(target: CodegenTarget): string {
  return target === 'typescript' ? 'ts' : target === 'angular' ? 'graphql' : 'js';
}
