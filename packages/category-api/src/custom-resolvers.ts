import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError, type Project } from '@forte/protocol';

/**
 * What an API's folder holds beyond its schema that Amplify deploys and Forte does not run: VTL files in
 * `resolvers/` (a file named as a generated resolver or slot replaces it, a new index adds a step) and resources in
 * `stacks/*.json` (nested stacks, typically `AWS::AppSync::Resolver` and `DataSource` for custom fields). Forte
 * runs the resolvers its transformer plans from the schema's directives, not VTL, so these would be left out: an
 * `auth` or `postAuth` step that narrows what a caller may read among them. One line each, paths from the project's root.
 */
export function customResolverParts(project: Project, dir: string): string[] {
  const found: string[] = [];
  const shown = (file: string): string => relative(project.root, file);
  const resolvers = join(dir, 'resolvers');
  if (existsSync(resolvers)) {
    for (const name of readdirSync(resolvers).sort()) {
      // Amplify writes README.md; a dot-file is an editor's or the system's.
      if (name.toLowerCase() === 'readme.md' || name.startsWith('.') || !statSync(join(resolvers, name)).isFile()) continue;
      found.push(`${shown(join(resolvers, name))}: a resolver template (VTL)`);
    }
  }
  const stacks = join(dir, 'stacks');
  if (existsSync(stacks)) {
    for (const name of readdirSync(stacks).sort()) {
      if (!name.endsWith('.json')) continue;
      const file = join(stacks, name);
      let template: { Resources?: Record<string, { Type?: unknown; Condition?: unknown }>; Conditions?: Record<string, unknown> };
      try {
        template = JSON.parse(readFileSync(file, 'utf8')) as typeof template;
      } catch (error) {
        throw new UserError(
          `${shown(file)} is not valid JSON: ${(error as Error).message}`,
          'Fix the file (a nested stack of the API, as Amplify deploys it).',
          {
            cause: error,
          },
        );
      }
      const resources = Object.entries(template.Resources ?? {})
        .filter(([, resource]) => !neverCreated(resource?.Condition, template.Conditions))
        .map(([id, resource]) => `${id} (${String(resource?.Type)})`);
      if (resources.length > 0) found.push(`${shown(file)}: ${resources.join(', ')}`);
    }
  }
  return found;
}

/**
 * Whether a resource's condition is false whatever the parameters: Amplify's CustomResources.json holds one
 * resource, `EmptyResource`, under `AlwaysFalse` (`Fn::Equals` of "true" and "false"), so that the stack is valid.
 */
function neverCreated(condition: unknown, conditions: Record<string, unknown> | undefined): boolean {
  if (typeof condition !== 'string') return false;
  const equals = (conditions?.[condition] as { 'Fn::Equals'?: unknown } | undefined)?.['Fn::Equals'];
  return Array.isArray(equals) && equals.length === 2 && typeof equals[0] === 'string' && typeof equals[1] === 'string' && equals[0] !== equals[1];
}

/** Refuses to push an API with custom resolvers (`customResolverParts`), before anything is built or applied. */
export function assertNoCustomResolvers(project: Project, dir: string, apiName: string): void {
  const parts = customResolverParts(project, dir);
  if (parts.length === 0) return;
  throw new UserError(
    `Forte does not deploy custom resolvers or the resources of an API's stacks/ yet, and the API ${apiName} has ${parts.length === 1 ? 'one' : parts.length}, so nothing was pushed:\n${parts.map((p) => `  ${p}\n`).join('')}` +
      'Forte runs the resolvers the schema’s directives generate, not VTL templates, and deploys the API’s own stack, not the nested stacks beside it; deploying the API without these would leave out what they do (an auth step among them would no longer apply).',
    'Move the logic into the schema (a @function field calling a Lambda function of the project, @auth rules for who may do what) and other resources into a category of their own, then remove these files (an unchanged stacks/CustomResources.json is fine). Other categories push on their own: `forte push <category>`.',
  );
}
