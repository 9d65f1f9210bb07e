import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  isSchemaError,
  migrateV1Schemas,
  usesV1Directives,
  v1MigrationBlockers,
  writtenForV2,
  type V1DefaultAuthType,
  type V1SchemaFile,
} from '@forte/graphql-transformer';
import { UserError, type PluginContext, type Project } from '@forte/protocol';
import { CATEGORY } from './api-config.js';
import { findApiResource, findAuthResource, readApiConfig, readApiSchema } from './api-resource.js';
import { appSyncAuthConfig } from './auth-config.js';
import { compileApi, readCliJson } from './compile-api.js';

/** Where `forte migrate api` keeps the schema as it was (Amplify's folder names, inside the API's folder). */
export const SCHEMA_BACKUP_DIR = '.migration-backup';
const CLI_JSON_BACKUP_DIR = '.migration-config-backup';
const DOCS = 'https://docs.amplify.aws/gen1/javascript/tools/cli/migration/transformer-migration/';

type Json = Record<string, unknown>;

const readJson = (file: string): Json => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (error) {
    throw new UserError(`${file} is not valid JSON.`, 'Fix the file, then run the command again.', { cause: error });
  }
};
const writeJson = (file: string, value: unknown): void => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

const section = (object: Json, key: string): Json => {
  const value = object[key];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
  return (object[key] = {});
};

/** The project's GraphQL Transformer version as cli.json sets it (Amplify reads a missing flag as 1 in a project it did not create). */
function transformerVersion(project: Project): number {
  if (!existsSync(join(project.amplifyDir, 'cli.json'))) return 2;
  const version = readCliJson(project).features?.graphqltransformer?.['transformerversion'];
  return typeof version === 'number' ? version : 1;
}

/**
 * Whether the schema files are for Transformer v1: they use its directives, or cli.json says v1 (or nothing) and the
 * schema is not plainly v2's (its directives or `input AMPLIFY`), whose rules a v1 migration would add to.
 */
function needsMigration(project: Project, bodies: V1SchemaFile[]): boolean {
  if (usesV1Directives(bodies)) return true;
  return transformerVersion(project) !== 2 && !writtenForV2(bodies);
}

const schemaBodies = (project: Project, dir: string): V1SchemaFile[] =>
  readApiSchema(dir).files.map((file) => ({ file: relative(project.root, file), schema: readFileSync(file, 'utf8') }));

/**
 * After `forte init` attached an existing project (PostInit): says to run `forte migrate api` before the first push
 * when the GraphQL API's schema is for Transformer v1. Nothing to say without a GraphQL API or a readable schema
 * (the push reports those).
 */
export async function migrationNotice(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const name = findApiResource(project);
  if (!name) return;
  let bodies: V1SchemaFile[];
  try {
    bodies = schemaBodies(project, project.resourceDir(CATEGORY, name));
    if (!needsMigration(project, bodies)) return;
  } catch {
    return;
  }
  ctx.print.warn(
    `The GraphQL API ${name} is written for GraphQL Transformer v1; Forte compiles v2 schemas: run \`forte migrate api\` before \`forte push\` (it rewrites the schema as \`amplify migrate api\` does, and keeps the original).`,
  );
}

function apiDir(ctx: PluginContext): { name: string; dir: string } {
  const project = ctx.project();
  const name = findApiResource(project);
  if (!name) throw new UserError('This project has no GraphQL API.', 'Only GraphQL schemas are migrated; add an API with `forte add api`.');
  return { name, dir: project.resourceDir(CATEGORY, name) };
}

/**
 * `forte migrate api`: rewrites a GraphQL Transformer v1 schema for v2, as `amplify migrate api` does, keeping the
 * schema as it was in `.migration-backup/` and cli.json in `.migration-config-backup/`; `--revert` puts them back.
 */
export async function migrateApi(ctx: PluginContext): Promise<void> {
  if (ctx.input.options['revert'] === true) return revertMigration(ctx);
  try {
    await migrate(ctx);
  } catch (error) {
    if (isSchemaError(error))
      throw new UserError(`${error.message.replace(/\.$/, '')} (nothing was changed).`, 'Fix the schema, then run `forte migrate api` again.', {
        cause: error,
      });
    throw error;
  }
}

async function migrate(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const { name, dir } = apiDir(ctx);
  const schema = readApiSchema(dir);
  const bodies = schemaBodies(project, dir);
  if (!needsMigration(project, bodies)) {
    ctx.print.info(`The schema of ${name} is already for GraphQL Transformer v2: nothing to migrate.`);
    return;
  }
  const backup = join(dir, SCHEMA_BACKUP_DIR);
  if (existsSync(backup))
    throw new UserError(
      `A schema backup of an earlier migration is already at ${relative(project.root, backup)}.`,
      'Move it out of the API folder (or run `forte migrate api --revert` to put it back), then run `forte migrate api` again.',
    );
  const blockers = v1MigrationBlockers(bodies);
  if (blockers.length > 0)
    throw new UserError(
      `The schema of ${name} cannot be migrated automatically (nothing was changed):\n${blockers.join('\n')}`,
      `Change these by hand as ${DOCS} describes, then run \`forte migrate api\` again.`,
    );

  const config = readApiConfig(dir);
  const defaultAuth = appSyncAuthConfig(config, findAuthResource(project)).defaultAuthentication.authenticationType;
  if (defaultAuth === 'AWS_LAMBDA')
    throw new UserError(`${name}'s default authorization mode is AWS_LAMBDA, which Transformer v1 did not have.`, 'Set the schema for Transformer v2 by hand.');
  const migration = migrateV1Schemas(bodies, defaultAuth as V1DefaultAuthType);

  // The backups first: nothing is rewritten that cannot be put back.
  mkdirSync(backup, { recursive: true });
  for (const file of schema.files) cpSync(file, join(backup, relative(dir, file)), { recursive: true });
  const cliFile = join(project.amplifyDir, 'cli.json');
  const cli = readCliJson(project) as Json;
  mkdirSync(join(dir, CLI_JSON_BACKUP_DIR), { recursive: true });
  writeJson(join(dir, CLI_JSON_BACKUP_DIR, 'cli.json'), cli);

  for (const [i, file] of schema.files.entries()) writeFileSync(file, migration.files[i]!.schema);
  const features = section(cli, 'features');
  const transformer = section(features, 'graphqltransformer');
  transformer['useexperimentalpipelinedtransformer'] = true;
  transformer['transformerversion'] = 2;
  transformer['suppressschemamigrationprompt'] = true;
  section(features, 'codegen')['useappsyncmodelgenplugin'] = true;
  writeJson(cliFile, cli);

  ctx.print.success(`Migrated the schema of ${name} to GraphQL Transformer v2 (amplify/cli.json: transformerversion 2).`);
  ctx.print.info(`The schema as it was is in ${relative(project.root, backup)}; \`forte migrate api --revert\` puts it back.`);
  if (migration.droppedComments) ctx.print.warn(`The rewritten schema has no comments: copy the ones you need from ${relative(project.root, backup)}.`);
  const attention = [
    ...(migration.versionedModels.length > 0
      ? [
          `@versioned was removed from ${migration.versionedModels.join(', ')}: Transformer v2 has conflict detection instead (\`forte update api\`), whose version field is _version, and clients that sent expectedVersion must stop`,
        ]
      : []),
    ...(migration.customRootTypes.length > 0 ? [`custom ${migration.customRootTypes.join(', ')} fields: check what resolves them`] : []),
  ];
  if (attention.length > 0) ctx.print.info(`To check with the new transformer:\n${attention.map((a) => `  - ${a}`).join('\n')}`);
  try {
    compileApi(project, dir);
    ctx.print.success('The migrated schema compiles. Run `forte push` to deploy it.');
  } catch (error) {
    ctx.print.warn(
      `The migrated schema does not compile yet:\n${(error as Error).message}\nFix it (see ${DOCS}), check it with \`forte api gql-compile\`, then \`forte push\`.`,
    );
  }
}

async function revertMigration(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const { name, dir } = apiDir(ctx);
  const backup = join(dir, SCHEMA_BACKUP_DIR);
  if (!existsSync(backup))
    throw new UserError(
      `There is no schema backup at ${relative(project.root, backup)}: ${name} was not migrated with \`forte migrate api\`.`,
      'Nothing to revert.',
    );
  const confirmed =
    ctx.prompt.yes ||
    (await ctx.prompt.confirm({
      message: `Put back the schema of ${name} as it was before \`forte migrate api\`? Every change made to it since is lost.`,
      default: false,
    }));
  if (!confirmed) {
    ctx.print.info('Nothing was reverted.');
    return;
  }
  // The schema as it was replaces what is there now (schema.graphql or the schema/ folder, whichever it was).
  for (const entry of readdirSync(backup)) {
    rmSync(join(dir, entry), { recursive: true, force: true });
    cpSync(join(backup, entry), join(dir, entry), { recursive: true });
  }
  rmSync(backup, { recursive: true, force: true });
  const cliBackup = join(dir, CLI_JSON_BACKUP_DIR, 'cli.json');
  if (existsSync(cliBackup)) {
    const cliFile = join(project.amplifyDir, 'cli.json');
    const cli = readCliJson(project) as Json;
    const before = readJson(cliBackup);
    if (before['features'] === undefined) delete cli['features'];
    else cli['features'] = before['features'];
    writeJson(cliFile, cli);
    rmSync(join(dir, CLI_JSON_BACKUP_DIR), { recursive: true, force: true });
  }
  ctx.print.success(`Put back the schema of ${name} and amplify/cli.json's feature flags as they were before the migration.`);
}
