import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type PluginContext, type ResourceBuild, type ResourceRef, type Template } from '@forte/protocol';
import { z } from 'zod';
import { CATEGORY } from './api-config.js';
import { ADMIN_QUERIES_NAME, REST_SERVICE, parseRestInputs, restPathSchema, type RestInputs } from './rest-config.js';
import { assertAccessDeployable, assertGroupsDeployable, authWithGroups, readRestInputs, restApis, saveRestApi } from './rest-resource.js';
import { adminQueriesTemplate, restTemplate } from './rest-template.js';
import { askPaths, askRestApiName, askRestUpdate } from './rest-walkthrough.js';

function printRestNextSteps(ctx: PluginContext, name: string): void {
  ctx.print.success(`Successfully added resource ${name} locally`);
  ctx.print.info('');
  ctx.print.info('Next steps:');
  ctx.print.info('  `forte push` deploys the API and its functions; aws-exports.js then lists it in aws_cloud_logic_custom.');
  ctx.print.info(`  Call it from the app with get/post/put/del from 'aws-amplify/api' and apiName "${name}".`);
}

/** `forte add api` → REST: Amplify's questions (friendly name, then the path loop). */
export async function addRestApi(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const taken = Object.keys(project.readBackendConfig()[CATEGORY] ?? {});
  const name = await askRestApiName(ctx, taken);
  const inputs: RestInputs = { version: 1, paths: {} };
  await askPaths(ctx, inputs);
  for (const warning of await saveRestApi(ctx, name, parseRestInputs(inputs, 'the answers'))) ctx.print.warn(warning);
  printRestNextSteps(ctx, name);
}

/** Which REST API `update` changes: the only one, or Amplify's "Select the REST API you want to update:". */
async function chooseRestApi(ctx: PluginContext, named: string | undefined): Promise<string> {
  const apis = restApis(ctx.project());
  if (apis.length === 0) throw new UserError('No REST API resource to update.', 'Use `forte add api` to create a new REST API.');
  if (named !== undefined && !apis.includes(named)) throw new UserError(`The project has no REST API named ${named}.`, `Choose one of: ${apis.join(', ')}.`);
  const chosen =
    named ??
    (apis.length === 1
      ? apis[0]!
      : await ctx.prompt.select({ message: 'Select the REST API you want to update:', choices: apis.map((a) => ({ name: a, value: a })) }));
  if (chosen === ADMIN_QUERIES_NAME)
    throw new UserError(
      'The Admin Queries API is maintained through the Auth category and should be updated using `forte update auth`.',
      'Choose another REST API, or change Admin Queries with `forte update auth`.',
    );
  return chosen;
}

/** `forte update api` → REST: add, edit or remove a path. */
export async function updateRestApi(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const name = await chooseRestApi(ctx, undefined);
  const inputs = readRestInputs(project.resourceDir(CATEGORY, name));
  await askRestUpdate(ctx, inputs);
  for (const warning of await saveRestApi(ctx, name, parseRestInputs(inputs, 'the answers'))) ctx.print.warn(warning);
  ctx.print.success(`Successfully updated resource ${name} locally`);
}

const headlessPath = restPathSchema
  .omit({ lambdaFunction: true })
  .extend({
    /** A function of the project. */
    lambdaFunction: z.string().optional(),
    /** Or a new one: an add function request (the `--headless` JSON of `forte add function`). */
    newFunction: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const addRestRequestSchema = z
  .object({
    version: z.literal(1),
    serviceConfiguration: z
      .object({
        serviceName: z.literal(REST_SERVICE),
        apiName: z.string().regex(/^[a-zA-Z0-9]+$/, 'API names are letters and digits'),
        paths: z.record(z.string(), headlessPath).refine((p) => Object.keys(p).length > 0, 'give at least one path'),
      })
      .strict(),
  })
  .strict();

const updateRestRequestSchema = z
  .object({
    version: z.literal(1),
    serviceModification: z
      .object({
        serviceName: z.literal(REST_SERVICE),
        apiName: z.string(),
        /** Paths to add or replace. */
        paths: z.record(z.string(), headlessPath).optional(),
        removePaths: z.array(z.string()).optional(),
      })
      .strict(),
  })
  .strict();

function parseRequest<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
  throw new UserError(
    `The ${what} is not valid: ${issues.join('; ')}.`,
    'Send one line of JSON on stdin as packages/category-api/README.md shows (REST APIs).',
  );
}

/** Whether a headless api payload is for a REST API (serviceName "API Gateway"). */
export function isRestRequest(payload: unknown): boolean {
  const p = payload as { serviceConfiguration?: { serviceName?: unknown }; serviceModification?: { serviceName?: unknown } } | undefined;
  return (p?.serviceConfiguration ?? p?.serviceModification)?.serviceName === REST_SERVICE;
}

/** The headless paths as cli-inputs paths, creating each `newFunction` through the function category. */
async function resolvePaths(ctx: PluginContext, paths: Record<string, z.infer<typeof headlessPath>>): Promise<RestInputs['paths']> {
  const out: RestInputs['paths'] = {};
  for (const [name, { newFunction, lambdaFunction, ...rest }] of Object.entries(paths)) {
    if ((newFunction === undefined) === (lambdaFunction === undefined))
      throw new UserError(`Path ${name}: give either lambdaFunction (a function of the project) or newFunction (an add function request).`, 'See the README.');
    let fn = lambdaFunction;
    if (newFunction !== undefined) {
      if (!ctx.invokePluginMethod)
        throw new UserError('Creating a function needs the forte CLI.', 'Add it with `forte add function` and name it in lambdaFunction.');
      fn = await ctx.invokePluginMethod<string>('function', 'addFunctionResource', [{ path: name, request: newFunction }]);
    }
    out[name] = { ...rest, name, lambdaFunction: fn! };
  }
  return out;
}

export async function addRestApiHeadless(ctx: PluginContext, payload: unknown): Promise<void> {
  const request = parseRequest(addRestRequestSchema, payload, 'add REST API request').serviceConfiguration;
  const project = ctx.project();
  if (project.readBackendConfig()[CATEGORY]?.[request.apiName])
    throw new UserError(
      `The api category already has a resource named ${request.apiName}.`,
      'Choose another apiName, or change it with `forte update api --headless`.',
    );
  // Check the paths before any function is created.
  const checked = parseRestInputs(
    { version: 1, paths: Object.fromEntries(Object.entries(request.paths).map(([p, v]) => [p, { ...v, lambdaFunction: v.lambdaFunction ?? 'x' }])) },
    'the request',
  );
  await assertAccessDeployable(ctx, checked, 'The request');
  const paths = await resolvePaths(ctx, request.paths);
  for (const warning of await saveRestApi(ctx, request.apiName, parseRestInputs({ version: 1, paths }, 'the request'))) ctx.print.warn(warning);
  printRestNextSteps(ctx, request.apiName);
}

export async function updateRestApiHeadless(ctx: PluginContext, payload: unknown): Promise<void> {
  const request = parseRequest(updateRestRequestSchema, payload, 'update REST API request').serviceModification;
  const project = ctx.project();
  const name = await chooseRestApi(ctx, request.apiName);
  const inputs = readRestInputs(project.resourceDir(CATEGORY, name));
  for (const path of request.removePaths ?? []) {
    if (!inputs.paths[path]) throw new UserError(`removePaths: the API ${name} has no path ${path}.`, `Its paths: ${Object.keys(inputs.paths).join(', ')}.`);
    delete inputs.paths[path];
  }
  Object.assign(inputs.paths, await resolvePaths(ctx, request.paths ?? {}));
  if (Object.keys(inputs.paths).length === 0)
    throw new UserError(`The API ${name} would have no path left.`, 'Keep at least one path, or remove the API with `forte remove api`.');
  for (const warning of await saveRestApi(ctx, name, parseRestInputs(inputs, 'the request'))) ctx.print.warn(warning);
  ctx.print.success(`Successfully updated resource ${name} locally`);
}

/** The REST API's nested template (`forte push`); also written to `build/` as Amplify does. */
export function buildRestApi(ctx: PluginContext, resource: ResourceRef): ResourceBuild {
  const inputs = readRestInputs(resource.dir);
  assertGroupsDeployable(ctx.project(), inputs, `${resource.dir}/cli-inputs.json`);
  const { authResource } = authWithGroups(ctx.project());
  let template: Template;
  if (resource.resourceName === ADMIN_QUERIES_NAME) {
    if (!authResource)
      throw new UserError(
        `${ADMIN_QUERIES_NAME} authorizes with the user pool of an auth resource, and this project has none.`,
        'Add auth, or remove the AdminQueries API.',
      );
    if (Object.keys(inputs.paths).length !== 1)
      throw new UserError(
        `${resource.dir}/cli-inputs.json: ${ADMIN_QUERIES_NAME} has exactly one path ("/{proxy+}").`,
        'Restore the file as the auth category wrote it.',
      );
    template = adminQueriesTemplate(resource.resourceName, inputs, authResource);
  } else {
    template = restTemplate(resource.resourceName, inputs, authResource ? { authResourceName: authResource } : {});
  }
  const build = join(resource.dir, 'build');
  mkdirSync(build, { recursive: true });
  writeFileSync(join(build, `${resource.resourceName}-cloudformation-template.json`), `${JSON.stringify(template, null, 2)}\n`);
  writeFileSync(join(build, 'parameters.json'), '{}\n');
  return { template, parameters: {} };
}
