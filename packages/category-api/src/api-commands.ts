import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError, removeResourceEntry, type PluginContext, type ResourceBuild } from '@forte/protocol';
import { CATEGORY, parseApiConfig, type ApiConfig } from './api-config.js';
import { askApiSettings } from './api-questions.js';
import { PARAMETERS_FILE, SCHEMA_FILE, findApiResource, findAuthResource, readApiConfig, saveApiResource } from './api-resource.js';
import { apiTemplate } from './api-template.js';
import { compileApi, writeBuild } from './compile-api.js';
import { assertNoCustomResolvers, customResolverParts } from './custom-resolvers.js';
import { templateAdminRoles } from './admin-roles.js';
import { configFromAddRequest, configFromUpdateRequest } from './headless-api.js';
import { SCHEMA_TEMPLATES, type SchemaTemplate } from './schema-templates.js';
import { REST_SERVICE } from './rest-config.js';
import { restApis } from './rest-resource.js';
import { addRestApi, updateRestApi } from './rest-commands.js';

function refuseSecond(ctx: PluginContext): void {
  const existing = findApiResource(ctx.project());
  if (existing) {
    throw new UserError(
      `This project already has a GraphQL API: ${existing}.`,
      'Change it with `forte update api` (or edit its schema.graphql), or remove it with `forte remove api` first.',
    );
  }
}

function currentApi(ctx: PluginContext): { name: string; dir: string; config: ApiConfig } {
  const project = ctx.project();
  const name = findApiResource(project);
  if (!name) throw new UserError('This project has no GraphQL API.', 'Add one with `forte add api`.');
  const dir = project.resourceDir(CATEGORY, name);
  return { name, dir, config: readApiConfig(dir) };
}

/**
 * Compiles before anything is written, so an invalid schema never reaches the project; then saves and
 * tells the user where the schema is.
 */
function saveChecked(ctx: PluginContext, config: ApiConfig, schema: string | undefined, verb: 'added' | 'updated'): void {
  const project = ctx.project();
  const dir = project.resourceDir(CATEGORY, config.apiName);
  const previousSchema = existsSync(join(dir, SCHEMA_FILE)) ? readFileSync(join(dir, SCHEMA_FILE), 'utf8') : undefined;
  saveApiResource(project, config, schema);
  try {
    compileApi(project, dir);
  } catch (error) {
    // Put the previous schema back (or remove the new resource) so the project is as it was.
    if (verb === 'added') removeFiles(ctx, config.apiName);
    else if (schema !== undefined && previousSchema !== undefined) saveApiResource(project, config, previousSchema);
    throw error;
  }
  ctx.print.success(`Successfully ${verb} resource ${config.apiName} locally.`);
}

function printNextSteps(ctx: PluginContext, apiName: string): void {
  ctx.print.info('');
  ctx.print.info(`GraphQL schema: ${join(ctx.project().resourceDir(CATEGORY, apiName), SCHEMA_FILE)}`);
  ctx.print.info('Next steps:');
  ctx.print.info('  `forte push` deploys the API and its tables (data is kept when the schema changes).');
  ctx.print.info('  `forte api gql-compile` checks the schema and writes the compiled schema to build/.');
}

/** `forte add api`: Amplify's questions (GraphQL only); `--yes` = API key auth (7 days) and the Todo schema. */
export async function addApi(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const service = await ctx.prompt.select<'GraphQL' | 'REST'>({
    message: 'Select from one of the below mentioned services:',
    choices: [
      { name: 'GraphQL', value: 'GraphQL' },
      { name: 'REST', value: 'REST' },
    ],
    default: 'GraphQL',
  });
  if (service === 'REST') return addRestApi(ctx);
  refuseSecond(ctx);
  const config: ApiConfig = parseApiConfig(
    { apiName: project.config.projectName.replace(/[^A-Za-z0-9]/g, '') || 'api', defaultAuthType: { mode: 'API_KEY', expirationTime: 7 } },
    'the defaults',
  );
  await askApiSettings(ctx, config, { hasAuth: findAuthResource(project) !== undefined, canRename: true });
  const template = await ctx.prompt.select<SchemaTemplate>({
    message: 'Choose a schema template:',
    choices: (Object.keys(SCHEMA_TEMPLATES) as SchemaTemplate[]).map((value) => ({ name: SCHEMA_TEMPLATES[value].label, value })),
    default: 'single-object',
  });
  const answers = parseApiConfig(config, 'the answers');
  saveChecked(ctx, answers, SCHEMA_TEMPLATES[template].schema, 'added');
  await offerSchemaEdit(ctx, answers.apiName);
  printNextSteps(ctx, answers.apiName);
}

/**
 * Amplify's "Do you want to edit the schema now?" (default yes, as Amplify's): yes
 * opens schema.graphql in the user's editor and waits, then checks what was saved. Not asked with --yes or
 * without a terminal. An invalid edit is kept (it is the user's work) and named, with the command to check it again.
 */
async function offerSchemaEdit(ctx: PluginContext, apiName: string): Promise<void> {
  if (ctx.prompt.yes || ctx.prompt.interactive === false || !ctx.openEditor) return;
  if (!(await ctx.prompt.confirm({ message: 'Do you want to edit the schema now?', default: true }))) return;
  const project = ctx.project();
  const dir = project.resourceDir(CATEGORY, apiName);
  await ctx.openEditor(join(dir, SCHEMA_FILE));
  try {
    compileApi(project, dir);
    ctx.print.success('The edited schema compiles.');
  } catch (error) {
    ctx.print.warn(`The edited schema does not compile: ${error instanceof Error ? error.message : String(error)}`);
    ctx.print.warn('Fix it, then check it with `forte api gql-compile` before `forte push`.');
  }
}

export async function addApiHeadless(ctx: PluginContext, payload: unknown): Promise<void> {
  refuseSecond(ctx);
  const { config, schema } = configFromAddRequest(payload);
  saveChecked(ctx, config, schema, 'added');
  printNextSteps(ctx, config.apiName);
}

/** `forte update api`: the settings loop with the current values (the schema is edited in its file). */
export async function updateApi(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const hasRest = restApis(project).length > 0;
  const hasGraphQL = findApiResource(project) !== undefined;
  if (hasRest) {
    // As Amplify's `update api`: the service first when the project has both.
    const service = hasGraphQL
      ? await ctx.prompt.select<'GraphQL' | 'REST'>({
          message: 'Select from one of the below mentioned services:',
          choices: [
            { name: 'GraphQL', value: 'GraphQL' },
            { name: 'REST', value: 'REST' },
          ],
          default: 'GraphQL',
        })
      : 'REST';
    if (service === 'REST') return updateRestApi(ctx);
  }
  const { config } = currentApi(ctx);
  if (ctx.prompt.yes) {
    throw new UserError(
      '`forte update api --yes` would change nothing (each question defaults to the current setting).',
      'Run `forte update api` and answer the questions, edit schema.graphql, or pipe an UpdateApiRequest to `forte update api --headless`.',
    );
  }
  const after = structuredClone(config);
  await askApiSettings(ctx, after, { hasAuth: findAuthResource(ctx.project()) !== undefined, canRename: false });
  saveChecked(ctx, parseApiConfig(after, 'the answers'), undefined, 'updated');
  printNextSteps(ctx, after.apiName);
}

export async function updateApiHeadless(ctx: PluginContext, payload: unknown): Promise<void> {
  const { config } = currentApi(ctx);
  const next = configFromUpdateRequest(payload, config);
  saveChecked(ctx, next.config, next.schema, 'updated');
  printNextSteps(ctx, next.config.apiName);
}

function removeFiles(ctx: PluginContext, name: string): void {
  const project = ctx.project();
  rmSync(project.resourceDir(CATEGORY, name), { recursive: true, force: true });
  removeResourceEntry(project, CATEGORY, name);
}

/**
 * `forte remove api [name]`: the API to remove (Amplify's "Choose the resource you would want to remove" when
 * there are several), asks (default no; `--yes` confirms), then deletes the folder and both entries.
 */
export async function removeApi(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const all = Object.entries(project.readBackendConfig()[CATEGORY] ?? {});
  if (all.length === 0) throw new UserError('This project has no API.', 'Add one with `forte add api`.');
  const named = ctx.input.subCommands[0];
  if (named !== undefined && !all.some(([n]) => n === named))
    throw new UserError(`The project has no API named ${named}.`, `Choose one of: ${all.map(([n]) => n).join(', ')}.`);
  const name =
    named ??
    (all.length === 1
      ? all[0]![0]
      : await ctx.prompt.select({
          message: 'Choose the resource you would want to remove',
          choices: all.map(([n, e]) => ({ name: `${n} (${String(e.service)})`, value: n })),
        }));
  const isRest = all.find(([n]) => n === name)?.[1].service === REST_SERVICE;
  const confirmed =
    ctx.prompt.yes ||
    (await ctx.prompt.confirm({
      message: `Are you sure you want to delete the resource ${name}? This action deletes all files related to this resource from the backend directory.`,
      default: false,
    }));
  if (!confirmed) {
    ctx.print.info('Nothing was removed.');
    return;
  }
  removeFiles(ctx, name);
  ctx.print.success(`Successfully removed resource ${name} locally.`);
  ctx.print.info(
    isRest
      ? 'Run `forte push` to delete the API from the cloud (its functions stay).'
      : 'Run `forte push` to delete the API and its tables (with their data) from the cloud.',
  );
}

/** `forte api gql-compile`: transforms the schema and writes build/ (errors name type, field and directive). */
export async function gqlCompile(ctx: PluginContext): Promise<void> {
  const { dir, config } = currentApi(ctx);
  const compiled = compileApi(ctx.project(), dir);
  writeBuild(
    dir,
    compiled,
    apiTemplate(
      config,
      compiled,
      templateAdminRoles(ctx.project(), dir, config, (m) => ctx.print.warn(m)),
    ),
  );
  ctx.print.success(`GraphQL schema compiled successfully: ${compiled.tables.length} model(s).`);
  const custom = customResolverParts(ctx.project(), dir);
  if (custom.length > 0)
    ctx.print.warn(
      `Forte does not deploy custom resolvers or the resources of an API's stacks/ yet, and a push of this API is refused while it has them:\n${custom.map((p) => `  ${p}`).join('\n')}`,
    );
  ctx.print.info(`Edit your schema at ${join(dir, SCHEMA_FILE)}; the compiled schema is in ${join(dir, 'build', SCHEMA_FILE)}.`);
}

/** The API's nested template (called by `forte push`); also refreshes build/. */
export async function buildApi(ctx: PluginContext, dir: string): Promise<ResourceBuild> {
  const config = readApiConfig(dir);
  assertNoCustomResolvers(ctx.project(), dir, basename(dir));
  const compiled = compileApi(ctx.project(), dir);
  const template = apiTemplate(
    config,
    compiled,
    templateAdminRoles(ctx.project(), dir, config, (m) => ctx.print.warn(m)),
  );
  writeBuild(dir, compiled, template);
  return { template, parameters: templateParameters(dir, Object.keys(template.Parameters ?? {})) };
}

/** parameters.json values for the parameters the template declares (Amplify's file, intrinsics kept). */
function templateParameters(dir: string, declared: string[]): Record<string, unknown> {
  const file = join(dir, PARAMETERS_FILE);
  if (!existsSync(file)) return {};
  let values: Record<string, unknown>;
  try {
    values = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`${file} is not valid JSON.`, 'Fix the file, or run `forte update api` to write it again.', { cause: error });
  }
  const out: Record<string, unknown> = {};
  for (const name of declared) {
    if (name === 'env' || name === 'AppId' || !(name in values)) continue;
    const value = values[name];
    out[name] = typeof value === 'boolean' ? String(value) : value;
  }
  return out;
}
