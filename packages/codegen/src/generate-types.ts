import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateTypes, type TypesTarget } from '@aws-amplify/graphql-generator';
import { UserError } from '@forte/protocol';
import { matchFiles } from './file-glob.js';
import type { CodegenProject } from './graphql-config.js';

/**
 * Writes the types file (`src/API.ts`) for the statements matched by the project's includes; returns its
 * project-relative path, or undefined when the project has no types file (javascript).
 */
export async function writeTypes(root: string, project: CodegenProject, schema: string): Promise<string | undefined> {
  const typesFile = project.amplifyExtension.generatedFileName;
  if (typesFile === '' || project.includes.length === 0) return undefined;
  const files = matchFiles(root, project.includes, [...project.excludes, typesFile]);
  const documents = files.map((file) => documentsOf(file, readFileSync(join(root, file), 'utf8'))).filter((doc) => doc.trim() !== '');
  if (documents.length === 0) {
    throw new UserError(
      `No GraphQL statements match ${project.includes.join(', ')}.`,
      'Generate them with `forte codegen statements` (or change the pattern with `forte codegen configure`).',
    );
  }
  let output: Record<string, string>;
  try {
    output = await generateTypes({
      schema,
      target: project.amplifyExtension.codeGenTarget as TypesTarget,
      queries: documents.join('\n'),
      introspection: project.schemaPath.endsWith('.json'),
    });
  } catch (error) {
    throw new UserError(
      `Generating types from ${project.schemaPath} failed: ${error instanceof Error ? error.message : String(error)}`,
      "Check that the statements match the API's schema: regenerate them with `forte codegen statements`.",
      { cause: error },
    );
  }
  const contents = Object.values(output);
  mkdirSync(dirname(join(root, typesFile)), { recursive: true });
  writeFileSync(join(root, typesFile), contents.join('\n'));
  return typesFile;
}

/** GraphQL documents of a statements file: whole `.graphql` files, tagged template literals of JS/TS ones. */
export function documentsOf(file: string, text: string): string {
  if (!/\.(jsx?|tsx?|mjs|cjs)$/.test(file)) return text;
  const docs: string[] = [];
  for (const match of text.matchAll(/(?:\/\*\s*GraphQL\s*\*\/|\bgql)\s*`([^`]*)`/g)) docs.push((match[1] ?? '').replace(/\$\{[^}]*\}/g, ''));
  return docs.join('\n');
}
