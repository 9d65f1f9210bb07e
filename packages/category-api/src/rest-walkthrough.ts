import { randomBytes } from 'node:crypto';
import { UserError, pickMany, type PluginContext } from '@forte/protocol';
import { CRUD_OPERATIONS, ADMIN_QUERIES_NAME, pathOverlap, validatePathName, type CrudOperation, type RestInputs, type RestPath } from './rest-config.js';
import { assertAccessDeployable, authWithGroups, projectFunctions } from './rest-resource.js';

/** Amplify's friendly-name question (letters and digits, unique in the category; AdminQueries is the auth category's). */
export async function askRestApiName(ctx: PluginContext, taken: string[]): Promise<string> {
  // Amplify's default: `api` and the first segment of a uuid.
  let initial = `api${randomBytes(4).toString('hex')}`;
  while (taken.includes(initial)) initial = `api${randomBytes(4).toString('hex')}`;
  return ctx.prompt.input({
    message: 'Provide a friendly name for your resource to be used as a label for this category in the project:',
    default: initial,
    validate: (v) => {
      if (!/^[a-zA-Z0-9]+$/.test(v)) return 'Resource name should be alphanumeric';
      if (v === ADMIN_QUERIES_NAME)
        return `${ADMIN_QUERIES_NAME} is a reserved name for REST API resources for use by the auth category. Run "forte update auth" to create an Admin Queries API.`;
      if (taken.includes(v)) return `A resource named ${v} already exists in the api category.`;
      return true;
    },
  });
}

/** Amplify's permission and group questions: at least one choice, the current ones (else all) by default, in the choices' order. */
async function pickSome(ctx: PluginContext, message: string, choices: readonly string[], current: readonly string[]): Promise<string[]> {
  const picked = await pickMany(ctx, message, choices, current.length > 0 ? current : choices, { atLeastOne: true });
  return choices.filter((c) => picked.includes(c));
}

const askCrud = async (ctx: PluginContext, who: string, current: readonly string[] | undefined): Promise<CrudOperation[]> =>
  (await pickSome(ctx, `What permissions do you want to grant to ${who} users?`, CRUD_OPERATIONS, current ?? [])) as CrudOperation[];

/** Amplify's access questions for one path: restrict, who (and, with user pool groups, which groups), and the operations of each. */
async function askPermissions(ctx: PluginContext, path: string, current: RestPath | undefined): Promise<RestPath['permissions']> {
  const restrict = await ctx.prompt.confirm({ message: 'Restrict API access?', default: current?.permissions.setting !== 'open' });
  if (!restrict) return { setting: 'open' };
  const project = ctx.project();
  const { authResource, groups } = authWithGroups(project);
  if (!authResource) {
    throw new UserError(
      'Restricting access needs an auth resource with an identity pool (REST APIs authorize IAM-signed calls), and this project has none.',
      'Add one with `forte add auth` (answer yes to allowing unauthenticated logins if guests should call the API), then add the path again; or leave the path open.',
    );
  }
  // No identity pool: refused now, naming the fix, rather than after the other questions.
  await assertAccessDeployable(ctx, { version: 1, paths: { [path]: { lambdaFunction: 'x', permissions: { setting: 'private', auth: ['read'] } } } }, 'The API');
  let by: 'users' | 'groups' | 'both' = 'users';
  if (groups.length > 0) {
    for (;;) {
      const choice = await ctx.prompt.select<'users' | 'groups' | 'both' | 'learn'>({
        message: 'Restrict access by:',
        choices: [
          { name: 'Auth/Guest Users', value: 'users' },
          { name: 'Individual Groups', value: 'groups' },
          { name: 'Both', value: 'both' },
          { name: 'Learn more', value: 'learn' },
        ],
        default: current?.permissions.groups && !current.permissions.auth ? 'groups' : 'users',
      });
      if (choice !== 'learn') {
        by = choice;
        break;
      }
      ctx.print.info('');
      ctx.print.info(
        'You can restrict access using CRUD policies for Authenticated Users, Guest Users, or on individual Group that users belong to in a User Pool. ' +
          'If a user logs into your application and is not a member of any group they will use policy set for "Authenticated Users", ' +
          'however if they belong to a group they will only get the policy associated with that specific group.',
      );
      ctx.print.info('');
    }
  }
  const permissions: RestPath['permissions'] = { setting: 'private' };
  if (by !== 'groups') {
    permissions.setting = await ctx.prompt.select<'private' | 'protected'>({
      message: 'Who should have access?',
      choices: [
        { name: 'Authenticated users only', value: 'private' },
        { name: 'Authenticated and Guest users', value: 'protected' },
      ],
      default: current?.permissions.setting === 'protected' ? 'protected' : 'private',
    });
    permissions.auth = await askCrud(ctx, 'Authenticated', current?.permissions.auth);
    if (permissions.setting === 'protected') permissions.guest = await askCrud(ctx, 'Guest', current?.permissions.guest);
  }
  if (by !== 'users') {
    const chosen = await pickSome(ctx, 'Select groups:', groups, Object.keys(current?.permissions.groups ?? {}));
    permissions.groups = {};
    for (const group of chosen) permissions.groups[group] = await askCrud(ctx, group, current?.permissions.groups?.[group]);
  }
  return permissions;
}

/** The function a path invokes: a new one (the function category's questions and templates) or one of the project's. */
async function askLambdaSource(ctx: PluginContext, path: string, current: RestPath | undefined): Promise<string> {
  const existing = projectFunctions(ctx.project());
  const choices = [{ name: 'Create a new Lambda function', value: 'newFunction' as const }];
  if (existing.length > 0) choices.push({ name: 'Use a Lambda function already added in the current Amplify project', value: 'projectFunction' as never });
  const source = await ctx.prompt.select<'newFunction' | 'projectFunction'>({ message: 'Choose a Lambda source', choices, default: 'newFunction' });
  if (source === 'projectFunction') {
    return ctx.prompt.select({
      message: 'Choose the Lambda function to invoke by this path',
      choices: existing.map((f) => ({ name: f, value: f })),
      default: current && existing.includes(current.lambdaFunction) ? current.lambdaFunction : existing[0]!,
    });
  }
  if (!ctx.invokePluginMethod)
    throw new UserError(
      'Creating a function from here needs the forte CLI (it enters the function category).',
      'Add the function with `forte add function` first, then choose it.',
    );
  const name = await ctx.invokePluginMethod<string>('function', 'addFunctionResource', [{ path }]);
  ctx.print.success('Successfully added the Lambda function locally');
  return name;
}

/**
 * Amplify's path loop: the path (`/items` by default; overlap with another path asks to continue), the
 * Lambda source, the access questions, then "Do you want to add another path?" (not when editing a path).
 */
export async function askPaths(ctx: PluginContext, inputs: RestInputs, current?: { name: string; path: RestPath }): Promise<void> {
  for (;;) {
    let name: string;
    for (;;) {
      name = await ctx.prompt.input({ message: 'Provide a path (e.g., /book/{isbn}):', default: current?.name ?? '/items', validate: validatePathName });
      if (inputs.paths[name]) {
        ctx.print.warn(`The API already has the path ${name}; choose "Update path" to change it.`);
        if (ctx.prompt.yes) throw new UserError(`The API already has the path ${name}.`, 'Use another path, or update that one with `forte update api`.');
        continue;
      }
      const overlap = pathOverlap(name, Object.keys(inputs.paths));
      if (!overlap) break;
      const keep = await ctx.prompt.confirm({
        message: `The path ${overlap.lower} overlaps with ${overlap.higher}. Users authorized to access ${overlap.higher} will also have access to ${overlap.lower}. Are you sure you want to continue?`,
        default: false,
      });
      if (keep) break;
      if (ctx.prompt.yes) throw new UserError(`The path ${name} overlaps with another path of the API.`, 'Choose a path that does not overlap.');
    }
    const lambdaFunction = await askLambdaSource(ctx, name, current?.path);
    const permissions = await askPermissions(ctx, name, current?.path);
    inputs.paths[name] = { name, lambdaFunction, permissions };
    if (current) return;
    if (!(await ctx.prompt.confirm({ message: 'Do you want to add another path?', default: false }))) return;
  }
}

/** `forte update api` on a REST API: Amplify's "Add another path | Update path | Remove path". */
export async function askRestUpdate(ctx: PluginContext, inputs: RestInputs): Promise<void> {
  const operation = await ctx.prompt.select<'add' | 'update' | 'remove'>({
    message: 'What would you like to do?',
    choices: [
      { name: 'Add another path', value: 'add' },
      { name: 'Update path', value: 'update' },
      { name: 'Remove path', value: 'remove' },
    ],
    default: 'add',
  });
  const names = Object.keys(inputs.paths);
  if (operation === 'add') return askPaths(ctx, inputs);
  if (operation === 'remove') {
    if (names.length <= 1)
      throw new UserError(
        'A REST API needs at least one path, and this one has only ' + names.join('') + '.',
        'Add another path first, or remove the API with `forte remove api`.',
      );
    const chosen = await ctx.prompt.select({ message: 'Select the path to remove', choices: names.map((n) => ({ name: n, value: n })) });
    delete inputs.paths[chosen];
    return;
  }
  const chosen = await ctx.prompt.select({ message: 'Select the path to edit', choices: names.map((n) => ({ name: n, value: n })) });
  const path = inputs.paths[chosen]!;
  delete inputs.paths[chosen];
  await askPaths(ctx, inputs, { name: chosen, path });
}
