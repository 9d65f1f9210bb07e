import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '@forte/protocol';

/** Where `forte api gql-compile` and `forte push` write the API's model introspection schema. */
export const MODEL_INTROSPECTION_FILE = join('build', 'model-introspection.json');

/**
 * The model introspection schema of a GraphQL API (what `generateClient().models` needs), or undefined when
 * the API has not been compiled in this folder (a pulled project before its first `gql-compile` or push).
 */
export function readModelIntrospection(project: Project, category: string, resourceName: string): unknown {
  let text: string;
  try {
    text = readFileSync(join(project.resourceDir(category, resourceName), MODEL_INTROSPECTION_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A half-written file: the next gql-compile or push writes it again; the outputs simply lack the models.
    return undefined;
  }
}
