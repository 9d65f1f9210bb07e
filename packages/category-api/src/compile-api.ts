import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { V1_ONLY_DIRECTIVES, isSchemaError, transform } from '@forte/graphql-transformer';
import { UserError, type Project } from '@forte/protocol';
import { readApiConfig, readApiSchema, readTransformConf, findAuthResource } from './api-resource.js';
import { appSyncAuthConfig } from './auth-config.js';
import type { CompiledApi } from './api-template.js';
import { schemaErrorMessage } from './schema-error-message.js';

export const BUILD_DIR = 'build';

/**
 * Transformer parameters from cli.json's `features.graphqltransformer` flags (lower-cased keys, as Amplify
 * writes them). A missing flag takes Amplify's default for existing projects, so a project made by Amplify
 * compiles as Amplify compiles it.
 */
const FLAGS: [flag: string, parameter: string, existingProjectDefault: boolean][] = [
  ['usesubusernamefordefaultidentityclaim', 'useSubUsernameForDefaultIdentityClaim', false],
  ['populateownerfieldforstaticgroupauth', 'populateOwnerFieldForStaticGroupAuth', false],
  ['secondarykeyasgsi', 'secondaryKeyAsGSI', false],
  ['enableautoindexquerynames', 'enableAutoIndexQueryNames', false],
  ['respectprimarykeyattributesonconnectionfield', 'respectPrimaryKeyAttributesOnConnectionField', false],
  ['shoulddeepmergedirectiveconfigdefaults', 'shouldDeepMergeDirectiveConfigDefaults', true],
  ['subscriptionsinheritprimaryauth', 'subscriptionsInheritPrimaryAuth', false],
];

interface CliJson {
  features?: { graphqltransformer?: Record<string, unknown> };
  /** Forte's own options, outside Amplify's feature flags (which Amplify validates). */
  forte?: { totalcounts?: boolean };
}

/** amplify/cli.json (`{}` when there is none); a UserError when it is not JSON. */
export function readCliJson(project: Project): CliJson {
  const file = join(project.amplifyDir, 'cli.json');
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CliJson;
  } catch (error) {
    throw new UserError(`${file} is not valid JSON.`, 'Fix the file (it holds the feature flags).', { cause: error });
  }
}

export function transformParameters(cli: CliJson): Record<string, boolean> {
  const flags = cli.features?.graphqltransformer ?? {};
  return Object.fromEntries(FLAGS.map(([flag, parameter, fallback]) => [parameter, typeof flags[flag] === 'boolean' ? flags[flag] : fallback]));
}

/**
 * Runs the transformer on the API's schema. Schema errors (the user's SDL is validated as AppSync would build
 * it, then the output) become UserErrors naming the file, line and column, the type, the field and the
 * directive; nothing is written or deployed.
 */
export function compileApi(project: Project, dir: string): CompiledApi & { modelIntrospection: unknown } {
  const config = readApiConfig(dir);
  const files = readApiSchema(dir);
  const cli = readCliJson(project);
  const conf = readTransformConf(dir);
  let result: ReturnType<typeof transform>;
  try {
    result = transform({
      schema: files.schema,
      authConfig: appSyncAuthConfig(config, findAuthResource(project)),
      parameters: transformParameters(cli),
      ...(conf.ResolverConfig ? { resolverConfig: conf.ResolverConfig as never } : {}),
      options: { totalCounts: cli.forte?.totalcounts === true },
    });
  } catch (error) {
    if (isSchemaError(error)) {
      const v1 = [...new Set(error.errors.flatMap((e) => (e.directive && V1_ONLY_DIRECTIVES.includes(e.directive) ? [`@${e.directive}`] : [])))];
      const fix =
        v1.length > 0
          ? `${v1.join(', ')} ${v1.length === 1 ? 'is a directive' : 'are directives'} of GraphQL Transformer v1, and Forte compiles schemas with v2 only: run \`forte migrate api\` to rewrite the schema for v2 as \`amplify migrate api\` does (it keeps the schema as it was; \`forte migrate api --revert\` puts it back).`
          : 'Fix the schema, then run `forte api gql-compile` to check it.';
      throw new UserError(schemaErrorMessage(error, files, project.root, dir), fix, { cause: error });
    }
    throw error;
  }
  return {
    definition: result.schema,
    plan: result.plan,
    tables: result.plan.tables.map((t) => ({ modelName: t.modelName, properties: t.properties as Record<string, unknown> })),
    modelIntrospection: result.modelIntrospection,
  };
}

/** `gql-compile`: writes build/schema.graphql, build/resolver-plan.json and build/model-introspection.json. */
export function writeBuild(dir: string, compiled: CompiledApi & { modelIntrospection: unknown }, template: unknown): void {
  const build = join(dir, BUILD_DIR);
  mkdirSync(build, { recursive: true });
  writeFileSync(join(build, 'schema.graphql'), compiled.definition.endsWith('\n') ? compiled.definition : `${compiled.definition}\n`);
  writeFileSync(join(build, 'resolver-plan.json'), `${JSON.stringify(compiled.plan, null, 2)}\n`);
  writeFileSync(join(build, 'model-introspection.json'), `${JSON.stringify(compiled.modelIntrospection, null, 2)}\n`);
  writeFileSync(join(build, 'cloudformation-template.json'), `${JSON.stringify(template, null, 2)}\n`);
}
