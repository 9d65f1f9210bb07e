import { randomBytes } from 'node:crypto';
import { UserError, type PluginContext } from '@forte/protocol';
import {
  COLUMN_NAME,
  COLUMN_TYPES,
  INDEX_NAME,
  MAX_INDEXES,
  RESOURCE_NAME,
  TABLE_NAME,
  dynamoDbResources,
  isKeyType,
  isLegacyTable,
  migrateLegacyTable,
  lambdaFunctions,
  readInputs,
  type DynamoDbInputs,
  type GsiInput,
  type KeyInput,
} from './ddb-inputs.js';
import { attachTrigger, createTriggerFunction, detachTrigger } from './ddb-triggers.js';
import { saveTable } from './ddb-resource.js';

/** Columns asked in one walkthrough: their names and types, in order (Amplify keeps only the keys). */
type Columns = KeyInput[];

/** A walkthrough never loops forever on a scripted "yes": Amplify's column and index loops are bounded here. */
const MAX_COLUMNS = 200;

const keyColumns = (columns: Columns): string[] => columns.filter((c) => isKeyType(c.fieldType)).map((c) => c.fieldName);
const column = (columns: Columns, name: string): KeyInput => {
  const found = columns.find((c) => c.fieldName === name)!;
  return { fieldName: found.fieldName, fieldType: found.fieldType };
};
const choices = (names: string[]): { name: string; value: string }[] => [...new Set(names)].map((n) => ({ name: n, value: n }));

/** Amplify's column loop; with existing key columns (update) it first asks whether to add another. */
async function askColumns(ctx: PluginContext, existing: Columns = []): Promise<Columns> {
  ctx.print.info('');
  ctx.print.info('You can now add columns to the table.');
  ctx.print.info('');
  const columns: Columns = existing.map((c) => ({ ...c }));
  let more = existing.length === 0 || (await ctx.prompt.confirm({ message: 'Would you like to add another column?', default: true }));
  while (more) {
    if (columns.length >= MAX_COLUMNS) throw new UserError(`A table walkthrough takes at most ${MAX_COLUMNS} columns.`, 'Answer No to "add another column".');
    const name = await ctx.prompt.input({
      message: 'What would you like to name this column',
      validate: (v) => (COLUMN_NAME.test(v) ? true : 'You can use the following characters: a-z A-Z 0-9 - _'),
    });
    const type = await ctx.prompt.select({ message: 'Choose the data type', choices: COLUMN_TYPES.map((t) => ({ name: t, value: t })), default: 'string' });
    if (columns.some((c) => c.fieldName === name)) {
      more = await ctx.prompt.confirm({ message: 'This attribute was already added. Do you want to add another attribute?', default: false });
      continue;
    }
    columns.push({ fieldName: name, fieldType: type as KeyInput['fieldType'] });
    more = await ctx.prompt.confirm({ message: 'Would you like to add another column?', default: true });
  }
  return columns;
}

async function askPartitionKey(ctx: PluginContext, columns: Columns): Promise<KeyInput> {
  ctx.print.info('');
  ctx.print.info(
    'Before you create the database, you must specify how items in your table are uniquely organized. You do this by specifying a primary key. The primary key uniquely identifies each item in the table so that no two items can have the same key. This can be an individual column, or a combination that includes a primary key and a sort key.',
  );
  ctx.print.info('');
  ctx.print.info('To learn more about primary keys, see:');
  ctx.print.info('https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.CoreComponents.html#HowItWorks.CoreComponents.PrimaryKey');
  ctx.print.info('');
  const candidates = keyColumns(columns);
  if (candidates.length === 0)
    throw new UserError('The table has no column that can be its partition key.', 'Add a column of type string, number or binary (keys are one of these).');
  return column(columns, await ctx.prompt.select({ message: 'Choose partition key for the table', choices: choices(candidates) }));
}

async function askSortKey(ctx: PluginContext, columns: Columns, partitionKey: string): Promise<KeyInput | undefined> {
  if (!(await ctx.prompt.confirm({ message: 'Do you want to add a sort key to your table?', default: true }))) return undefined;
  const candidates = keyColumns(columns).filter((c) => c !== partitionKey);
  if (candidates.length === 0) {
    ctx.print.error('You must add additional keys in order to select a sort key.');
    return undefined;
  }
  return column(columns, await ctx.prompt.select({ message: 'Choose sort key for the table', choices: choices(candidates) }));
}

async function askIndexes(ctx: PluginContext, columns: Columns, existing?: GsiInput[]): Promise<GsiInput[]> {
  ctx.print.info('');
  ctx.print.info(
    'You can optionally add global secondary indexes for this table. These are useful when you run queries defined in a different column than the primary key.',
  );
  ctx.print.info('To learn more about indexes, see:');
  ctx.print.info('https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.CoreComponents.html#HowItWorks.CoreComponents.SecondaryIndexes');
  ctx.print.info('');
  let indexes: GsiInput[] = [];
  if (
    existing &&
    existing.length > 0 &&
    (await ctx.prompt.confirm({ message: 'Do you want to keep existing global secondary indexes created on your table?', default: true }))
  )
    indexes = existing.map((g) => ({ ...g }));
  if (!(await ctx.prompt.confirm({ message: 'Do you want to add global secondary indexes to your table?', default: true }))) return indexes;
  const candidates = keyColumns(columns);
  for (;;) {
    if (candidates.length === 0) {
      ctx.print.error('You do not have any other attributes remaining to configure');
      break;
    }
    if (indexes.length >= MAX_INDEXES) {
      ctx.print.error(`A table has at most ${MAX_INDEXES} global secondary indexes.`);
      break;
    }
    const taken = indexes.map((g) => g.name);
    const name = await ctx.prompt.input({
      message: 'Provide the GSI name',
      validate: (v) =>
        !INDEX_NAME.test(v) ? 'You can use the following characters: a-z A-Z 0-9 - _' : taken.includes(v) ? `The table already has an index named ${v}` : true,
    });
    const partition = await ctx.prompt.select({ message: 'Choose partition key for the GSI', choices: choices(candidates) });
    const gsi: GsiInput = { name, partitionKey: column(columns, partition) };
    const sortOptions = candidates.filter((c) => c !== partition);
    if (sortOptions.length > 0 && (await ctx.prompt.confirm({ message: 'Do you want to add a sort key to your global secondary index?', default: true }))) {
      gsi.sortKey = column(columns, await ctx.prompt.select({ message: 'Choose sort key for the GSI', choices: choices(sortOptions) }));
    }
    indexes.push(gsi);
    if (!(await ctx.prompt.confirm({ message: 'Do you want to add more global secondary indexes to your table?', default: true }))) break;
  }
  return indexes;
}

/** Amplify's `addTrigger`: an existing function of the project (not already a trigger), or a new one. */
async function addTrigger(ctx: PluginContext, table: string, current: string[]): Promise<string> {
  const kind = await ctx.prompt.select({
    message: 'Select from the following options',
    choices: [
      { name: 'Choose an existing function from the project', value: 'existing' },
      { name: 'Create a new function', value: 'new' },
    ],
  });
  let fn: string;
  if (kind === 'existing') {
    const functions = lambdaFunctions(ctx.project()).filter((f) => !current.includes(f));
    if (functions.length === 0)
      throw new UserError("No functions were found in the project. Use 'forte add function' to add a new function.", 'Or create a new one.');
    fn = await ctx.prompt.select({ message: 'Select from the following options', choices: choices(functions) });
    attachTrigger(ctx.project(), table, fn);
  } else {
    fn = await createTriggerFunction(ctx, table);
  }
  ctx.print.success(`Successfully updated resource ${fn} locally`);
  if (
    ctx.openEditor &&
    !ctx.prompt.yes &&
    (await ctx.prompt.confirm({ message: `Do you want to edit the local ${fn} lambda function now?`, default: false }))
  ) {
    await ctx.openEditor(`${ctx.project().resourceDir('function', fn)}/src/index.js`);
  }
  return fn;
}

/** Amplify prints a trigger's error and goes on; a cancel (Ctrl-C at a question) still ends the command. */
function printOrRethrow(ctx: PluginContext, error: unknown): void {
  if (!(error instanceof Error) || error.name === 'ExitPromptError' || error.name === 'AbortError') throw error;
  ctx.print.error(error.message);
}

/** Amplify's trigger question: one trigger when the table has none, else add / remove / done. An error is printed, not fatal. */
async function askTriggers(ctx: PluginContext, table: string, existing: string[] = []): Promise<string[]> {
  const triggers = [...existing];
  if (triggers.length === 0) {
    if (await ctx.prompt.confirm({ message: 'Do you want to add a Lambda Trigger for your Table?', default: false })) {
      try {
        triggers.push(await addTrigger(ctx, table, triggers));
      } catch (error) {
        printOrRethrow(ctx, error);
      }
    }
    return triggers;
  }
  // Amplify asks again after an error; a bounded number of rounds, so no scripted answer loops forever.
  for (let round = 0; round < MAX_COLUMNS; round++) {
    const choice = await ctx.prompt.select({
      message: 'Select from the following options',
      choices: [
        { name: 'Add a Trigger', value: 'add' },
        { name: 'Remove a trigger', value: 'remove' },
        { name: "I'm done", value: 'done' },
      ],
    });
    if (choice === 'done') return triggers;
    try {
      if (choice === 'add') {
        triggers.push(await addTrigger(ctx, table, triggers));
        return triggers;
      }
      if (triggers.length === 0) throw new UserError('No triggers found associated with this table', 'Add one first.');
      const fn = await ctx.prompt.select({ message: 'Select from the function you would like to remove', choices: choices(triggers) });
      detachTrigger(ctx.project(), table, fn);
      triggers.splice(triggers.indexOf(fn), 1);
      return triggers;
    } catch (error) {
      printOrRethrow(ctx, error);
    }
  }
  return triggers;
}

/**
 * Amplify's question before it migrates a table of an older project to cli-inputs.json (its template is then
 * rendered at push); yes migrates. `--headless` migrates without asking, as Amplify does.
 */
export async function confirmMigration(ctx: PluginContext, resourceName: string): Promise<boolean> {
  if (!ctx.prompt.yes) {
    ctx.print.info('');
    ctx.print.info('A migration is needed to support latest updates on storage resources.');
    ctx.print.warn('Recommended to try in a non-production environment first. Run "forte env add" to create or clone an environment.');
    ctx.print.warn("Custom CloudFormation changes will NOT be preserved: the table's template is rendered from cli-inputs.json from then on.");
    if (!(await ctx.prompt.confirm({ message: `Do you want to migrate storage resource "${resourceName}"?`, default: true }))) return false;
  }
  migrateLegacyTable(ctx.project(), resourceName);
  ctx.print.success(`storage ${resourceName} migrated to cli-inputs.json.`);
  return true;
}

/** With `--yes` (no terminal to ask in) the walkthrough cannot guess columns and keys: it says to use `--headless`. */
export function refuseUnattended(ctx: PluginContext, command: string): void {
  if (ctx.prompt.yes)
    throw new UserError(
      `forte ${command} storage asks which service, then a bucket's access or a table's columns and keys, which have no defaults.`,
      `Answer the questions in a terminal, or give them as JSON with \`forte ${command} storage --headless\` (packages/category-storage/README.md).`,
    );
}

/** `forte add storage` → NoSQL Database: Amplify's walkthrough (`dynamoDb-walkthrough.ts addWalkthrough`). */
export async function addTableWalkthrough(ctx: PluginContext): Promise<string> {
  const project = ctx.project();
  ctx.print.info('');
  ctx.print.info('Welcome to the NoSQL DynamoDB database wizard');
  ctx.print.info('This wizard asks you a series of questions to help determine how to set up your NoSQL database table.');
  ctx.print.info('');
  const existing = Object.keys(project.readBackendConfig()['storage'] ?? {});
  const resourceName = await ctx.prompt.input({
    message: 'Provide a friendly name',
    default: `dynamo${randomBytes(4).toString('hex')}`,
    validate: (v) =>
      !RESOURCE_NAME.test(v) ? 'You can use the following characters: a-z A-Z 0-9' : existing.includes(v) ? `storage ${v} already exists` : true,
  });
  const tableName = await ctx.prompt.input({
    message: 'Provide table name',
    default: resourceName,
    validate: (v) => (TABLE_NAME.test(v) ? true : 'You can use the following characters: a-z A-Z 0-9 . - _'),
  });
  const columns = await askColumns(ctx);
  const partitionKey = await askPartitionKey(ctx, columns);
  const inputs: DynamoDbInputs = { resourceName, tableName, partitionKey };
  const sortKey = await askSortKey(ctx, columns, partitionKey.fieldName);
  if (sortKey) inputs.sortKey = sortKey;
  inputs.gsi = await askIndexes(ctx, columns);
  // The table's files come first: a trigger function's template then names a table that exists.
  saveTable(project, { ...inputs, triggerFunctions: [] }, { isNew: true });
  inputs.triggerFunctions = await askTriggers(ctx, resourceName);
  saveTable(project, inputs, { isNew: false });
  return resourceName;
}

/** `forte update storage` (a NoSQL table): more columns, indexes kept / added, triggers added or removed; the keys stay (Amplify's rule). */
export async function updateTableWalkthrough(ctx: PluginContext): Promise<DynamoDbInputs> {
  const project = ctx.project();
  const tables = dynamoDbResources(project);
  if (tables.length === 0) throw new UserError('No resources to update. You need to add a resource.', 'Add a NoSQL table with `forte add storage`.');
  const given = ctx.input.subCommands[0];
  if (given !== undefined && !tables.includes(given))
    throw new UserError(`The project has no NoSQL table named ${given}.`, `Choose one of: ${tables.join(', ')}.`);
  const resourceName = given ?? (await ctx.prompt.select({ message: 'Specify the resource that you would want to update', choices: choices(tables) }));
  if (isLegacyTable(project, resourceName) && !(await confirmMigration(ctx, resourceName))) {
    throw new UserError(
      `storage ${resourceName} was not changed.`,
      'Its template stays as written and push deploys it; answer Yes to migrate it to cli-inputs.json.',
    );
  }
  const inputs = readInputs(project, resourceName);
  const known: Columns = [];
  for (const key of [inputs.partitionKey, inputs.sortKey, ...(inputs.gsi ?? []).flatMap((g) => [g.partitionKey, g.sortKey])]) {
    if (key && !known.some((k) => k.fieldName === key.fieldName)) known.push(key);
  }
  const columns = await askColumns(ctx, known);
  const gsi = await askIndexes(ctx, columns, inputs.gsi);
  const next: DynamoDbInputs = { ...inputs, gsi };
  next.triggerFunctions = await askTriggers(ctx, resourceName, inputs.triggerFunctions);
  saveTable(project, next, { isNew: false });
  return next;
}
