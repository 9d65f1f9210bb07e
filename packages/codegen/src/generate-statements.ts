import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { generateStatements } from '@aws-amplify/graphql-generator';
import { UserError } from '@forte/protocol';
import { toPosix } from './api-resource.js';
import { isCodegenTarget } from './codegen-targets.js';
import type { CodegenProject } from './graphql-config.js';
import { DEFAULT_MAX_DEPTH } from './codegen-questions.js';

/**
 * Writes `queries`, `mutations` and `subscriptions` (in the target's language) to the project's
 * docsFilePath; returns the files written, project-relative.
 */
export function writeStatements(root: string, project: CodegenProject, schema: string, options: { maxDepth?: number } = {}): string[] {
  const ext = project.amplifyExtension;
  const target = ext.codeGenTarget;
  if (!isCodegenTarget(target))
    throw new UserError(`Language ${target} not supported.`, 'Pick javascript, typescript, flow or angular with `forte codegen configure`.');
  const [firstInclude] = project.includes;
  const docsDir = ext.docsFilePath !== '' ? ext.docsFilePath : firstInclude ? dirname(dirname(firstInclude)) : 'src/graphql';
  const maxDepth = options.maxDepth ?? ext.maxDepth ?? DEFAULT_MAX_DEPTH;
  let output: Record<string, string>;
  try {
    output = generateStatements({
      schema,
      target,
      maxDepth,
      typenameIntrospection: ext.typenameIntrospection !== false,
      ...(target === 'typescript' && ext.generatedFileName !== '' ? { relativeTypesPath: typesImportPath(docsDir, ext.generatedFileName) } : {}),
    });
  } catch (error) {
    throw new UserError(
      `Generating GraphQL statements from ${project.schemaPath} failed: ${error instanceof Error ? error.message : String(error)}`,
      "Check the API's schema with `forte api gql-compile`.",
      { cause: error },
    );
  }
  mkdirSync(join(root, docsDir), { recursive: true });
  return Object.entries(output).map(([file, content]) => {
    const path = toPosix(join(docsDir, file));
    writeFileSync(join(root, path), content);
    return path;
  });
}

/** `../API` for statements in src/graphql importing src/API.ts (no extension, always relative). */
function typesImportPath(docsDir: string, typesFile: string): string {
  const withoutExt = typesFile.slice(0, typesFile.length - extname(typesFile).length);
  const path = toPosix(relative(docsDir, withoutExt));
  return path.startsWith('.') ? path : `./${path}`;
}
