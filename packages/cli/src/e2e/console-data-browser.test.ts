import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { pageWidth, useConsoleSuite } from './console-browser-kit.js';
import { missingBrowser } from './example-app.js';

const skipReason = missingBrowser("the console's data page in Chromium");

const SCHEMA = `input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }
type Todo @model {
  id: ID!
  name: String!
  priority: Int!
  category: String! @index(name: "byCategory", sortKeyFields: ["priority"], queryField: "todosByCategory")
}
type Reading @model {
  id: ID!
  value: Int
}
`;
const TODOS = 30;
const READINGS = 10_000;

interface GraphQLClient {
  graphql(options: { query: string; variables?: Record<string, unknown> }): Promise<{ data: Record<string, any> }>;
}

void describe("the console's data page in headless Chromium: a GraphQL API's model tables", { skip: skipReason }, () => {
  const suite = useConsoleSuite('data', 'dataapp');
  const { check, signedIn } = suite;
  let db: DynamoDBClient;
  let api: GraphQLClient;
  let url: string;
  let apiId: string;
  let appId: string;

  before(async () => {
    await suite.forte(
      ['add', 'api', '--headless'],
      JSON.stringify({
        version: 1,
        serviceConfiguration: { serviceName: 'AppSync', apiName: 'todos', transformSchema: SCHEMA, defaultAuthType: { mode: 'API_KEY', expirationTime: 7 } },
      }),
    );
    await suite.forte(
      ['add', 'storage', '--headless'],
      JSON.stringify({
        version: 1,
        serviceConfiguration: {
          serviceName: 'DynamoDB',
          resourceName: 'beer',
          partitionKey: { fieldName: 'brand', fieldType: 'string' },
          sortKey: { fieldName: 'batch', fieldType: 'number' },
        },
      }),
    );
    await suite.forte(['push', '--yes']);
    const meta = suite.project.readJson('amplify', 'backend', 'amplify-meta.json') as {
      api: { todos: { output: { GraphQLAPIIdOutput: string; GraphQLAPIEndpointOutput: string; GraphQLAPIKeyOutput: string } } };
      providers: { awscloudformation: { AmplifyAppId: string } };
    };
    const output = meta.api.todos.output;
    apiId = output.GraphQLAPIIdOutput;
    appId = meta.providers.awscloudformation.AmplifyAppId;
    const cloud = suite.cloud();
    url = cloud.url;
    db = new DynamoDBClient({ endpoint: `${url}/dynamodb`, region: 'us-east-1', credentials: cloud, maxAttempts: 1 });
    Amplify.configure({
      API: { GraphQL: { endpoint: output.GraphQLAPIEndpointOutput, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: output.GraphQLAPIKeyOutput } },
    });
    api = generateClient() as unknown as GraphQLClient;
  });
  after(() => db?.destroy());

  void it('lists the model tables; pages, filters, counts and queries an index; creates, edits and deletes items as the admin', async () => {
    // Todos made through aws-amplify's GraphQL client, as an app makes them.
    const ids: string[] = [];
    for (let i = 0; i < TODOS; i++) {
      const created = await api.graphql({
        query: 'mutation ($input: CreateTodoInput!) { createTodo(input: $input) { id } }',
        variables: { input: { name: `todo-${i}`, priority: i, category: i % 3 === 0 ? 'home' : 'work' } },
      });
      ids.push(created.data.createTodo.id as string);
    }
    const todoTable = `Todo-${apiId}-dev`;

    const { context, page, errors } = await signedIn();
    await page.getByRole('link', { name: 'dataapp' }).click();
    await page.getByRole('region', { name: 'Environments' }).getByRole('link', { name: 'dev' }).click();

    // The environment links to its data: both model tables, with their keys and counts.
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByRole('heading', { name: 'Data of dev' }).waitFor();
    const tables = page.getByRole('region', { name: 'Tables' });
    const todoRow = tables.getByRole('row').filter({ hasText: todoTable });
    await todoRow.waitFor();
    assert.match((await todoRow.textContent()) ?? '', new RegExp(`id \\(partition\\).*${TODOS}$`));
    await tables
      .getByRole('row')
      .filter({ hasText: `Reading-${apiId}-dev` })
      .waitFor();
    const beerRow = await tables.getByRole('row').filter({ hasText: 'beer-dev' }).textContent();
    assert.match(beerRow ?? '', /NoSQL table.*brand \(partition\), batch \(sort\)/);
    await check(page, '1-tables');

    // The table: a first page of 25 items, the key column first, what is written said plainly.
    await tables.getByRole('link', { name: todoTable }).click();
    await page.getByRole('heading', { name: `Table ${todoTable}` }).waitFor();
    const items = page.getByRole('region', { name: 'Items' });
    const pager = page.getByRole('navigation', { name: 'Pages' });
    await pager.getByText('Page 1 · 25 items').waitFor();
    assert.equal(await items.getByRole('columnheader').first().textContent(), 'id (key)');
    assert.match((await page.locator('.notice').textContent()) ?? '', /no @auth rule or resolver applies.*stream \(NEW_AND_OLD_IMAGES\)/);
    await check(page, '2-table');

    // Next and previous pages: 25 + 5 items, every todo seen once.
    const seen = async (): Promise<string[]> =>
      await items.locator('tbody tr').evaluateAll((rows) => rows.map((r) => (r as unknown as { cells: { textContent: string }[] }).cells[0]!.textContent));
    const first = await seen();
    await pager.getByRole('button', { name: 'Next' }).click();
    await pager.getByText('Page 2 · 5 items').waitFor();
    const second = await seen();
    assert.deepEqual([...first, ...second].sort(), [...ids].sort());
    assert.equal(await pager.getByRole('button', { name: 'Next' }).isDisabled(), true);
    await pager.getByRole('button', { name: 'Previous' }).click();
    await pager.getByText('Page 1 · 25 items').waitFor();
    assert.deepEqual(await seen(), first);

    // Count and filter: priority ≥ 25 (a number) matches 5 todos, counted across pages.
    const form = page.getByRole('form', { name: 'Read and filter' });
    await form.getByLabel('Attribute').fill('priority');
    await form.getByLabel('Operator').selectOption('>=');
    await form.getByLabel('Value type').selectOption('N');
    await form.getByLabel('Value', { exact: true }).fill('25');
    await form.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('button', { name: 'Count matching items' }).click();
    await page.getByText('5 matching items').waitFor();
    // Values are placeholders, never pasted into the expression: an expression-looking value matches nothing.
    await form.getByLabel('Attribute').fill('name');
    await form.getByLabel('Operator').selectOption('=');
    await form.getByLabel('Value type').selectOption('S');
    await form.getByLabel('Value', { exact: true }).fill('x OR attribute_exists(id)');
    await form.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('button', { name: 'Count matching items' }).click();
    await page.getByText('0 matching items').waitFor();
    // A number the filter cannot send is refused before any call.
    await form.getByLabel('Attribute').fill('priority');
    await form.getByLabel('Value type').selectOption('N');
    await form.getByLabel('Value', { exact: true }).fill('twenty');
    await form.getByRole('button', { name: 'Apply' }).click();
    await form.getByRole('alert').getByText('"twenty" is not a number').waitFor();

    // Sort by an index: a Query of byCategory for "home", highest priority first.
    await form.getByRole('button', { name: 'Clear' }).click();
    await form.getByLabel('Read from').selectOption('byCategory');
    await form.getByLabel('How').selectOption('query');
    await form.getByLabel('category =').fill('home');
    await form.getByLabel('Descending by priority').check();
    await form.getByRole('button', { name: 'Apply' }).click();
    await pager.getByText('Page 1 · 10 items').waitFor();
    const priorityColumn = (await items.getByRole('columnheader').allTextContents()).indexOf('priority');
    const priorities = await items
      .locator('tbody tr')
      .evaluateAll(
        (rows, column) => rows.map((r) => Number((r as unknown as { cells: { textContent: string }[] }).cells[column]!.textContent)),
        priorityColumn,
      );
    assert.deepEqual(priorities, [27, 24, 21, 18, 15, 12, 9, 6, 3, 0]);
    await check(page, '3-query-index');

    // Edit todo-7 in the UI: GraphQL reads it back changed.
    await form.getByRole('button', { name: 'Clear' }).click();
    await form.getByLabel('Attribute').fill('name');
    await form.getByLabel('Value', { exact: true }).fill('todo-7');
    await form.getByRole('button', { name: 'Apply' }).click();
    const id7 = ids[7]!;
    await items.getByRole('button', { name: `Edit item ${id7}` }).click();
    const editor = page.getByRole('region', { name: 'Edit item' });
    assert.equal(await editor.getByLabel(`Value of id`).isEditable(), false, 'the key is not edited');
    await editor.getByLabel('Value of name').fill('todo-7 edited in the console');
    await editor.getByLabel('Value of priority').fill('70');
    await check(page, '4-edit-item');
    await editor.getByRole('button', { name: 'Save item' }).click();
    await editor.waitFor({ state: 'detached' });
    const read = await api.graphql({ query: 'query ($id: ID!) { getTodo(id: $id) { name priority } }', variables: { id: id7 } });
    assert.deepEqual(read.data.getTodo, { name: 'todo-7 edited in the console', priority: 70 });

    // Create an item in the UI with a list: bad JSON is refused before sending; the SDK reads the item.
    await form.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('button', { name: 'New item' }).click();
    const creator = page.getByRole('region', { name: 'New item' });
    await creator.getByLabel('Value of id').fill('made-in-console');
    await creator.getByRole('button', { name: 'Add attribute' }).click();
    await creator.getByLabel('Name of attribute 2').fill('name');
    await creator.getByLabel('Value of name').fill('from the console');
    await creator.getByRole('button', { name: 'Add attribute' }).click();
    await creator.getByLabel('Name of attribute 3').fill('tags');
    await creator.getByLabel('Type of tags').selectOption('L');
    await creator.getByLabel('Value of tags').fill('["a", 2');
    await creator.getByRole('button', { name: 'Create item' }).click();
    await creator
      .getByRole('alert')
      .getByText(/tags: not valid JSON/)
      .waitFor();
    await check(page, '5-new-item-invalid');
    await creator.getByLabel('Value of tags').fill('["a", 2, {"done": true}]');
    await creator.getByRole('button', { name: 'Create item' }).click();
    await creator.waitFor({ state: 'detached' });
    const made = await db.send(new GetItemCommand({ TableName: todoTable, Key: { id: { S: 'made-in-console' } } }));
    assert.deepEqual(made.Item, {
      id: { S: 'made-in-console' },
      name: { S: 'from the console' },
      tags: { L: [{ S: 'a' }, { N: '2' }, { M: { done: { BOOL: true } } }] },
    });

    // Creating it again is refused by the cloud (the key exists), and said so.
    await page.getByRole('button', { name: 'New item' }).click();
    await creator.getByLabel('Value of id').fill('made-in-console');
    await creator.getByRole('button', { name: 'Create item' }).click();
    await creator
      .getByRole('alert')
      .getByText(/already in the table/)
      .waitFor();
    await creator.getByRole('button', { name: 'Cancel' }).click();

    // Delete it through the UI, after confirming: the SDK no longer finds it.
    await form.getByLabel('Attribute').fill('id');
    await form.getByLabel('Value', { exact: true }).fill('made-in-console');
    await form.getByRole('button', { name: 'Apply' }).click();
    await items.getByRole('button', { name: 'Delete item made-in-console' }).click();
    const confirm = page.getByRole('region', { name: 'Delete item made-in-console' });
    await check(page, '6-delete-item');
    await confirm.getByRole('button', { name: 'Delete item' }).click();
    await confirm.waitFor({ state: 'detached' });
    await items.getByText('No items on this page.').waitFor();
    assert.equal((await db.send(new GetItemCommand({ TableName: todoTable, Key: { id: { S: 'made-in-console' } } }))).Item, undefined);

    // An item written through the SDK shows on the page.
    await db.send(
      new BatchWriteItemCommand({ RequestItems: { [todoTable]: [{ PutRequest: { Item: { id: { S: 'from-sdk' }, name: { S: 'written by the SDK' } } } }] } }),
    );
    await form.getByLabel('Value', { exact: true }).fill('from-sdk');
    await form.getByRole('button', { name: 'Apply' }).click();
    await items.getByRole('cell', { name: 'written by the SDK' }).waitFor();

    // The phone layout: no page-wide sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    await form.getByRole('button', { name: 'Clear' }).click();
    await pager.getByText('Page 1 · 25 items').waitFor();
    const width = await pageWidth(page);
    assert.ok(width <= 390, `the page is ${width} px wide at 390`);
    await check(page, '7-table-390');

    // The one failed call was the refused duplicate (the browser logs its 400); nothing else.
    assert.deepEqual(
      errors.filter((e) => !/status of 400/.test(e)),
      [],
      'no console errors',
    );
    assert.equal(errors.length, 1, errors.join('\n'));
    await context.close();
  });

  void it(`pages through ${READINGS.toLocaleString('en')} items one call a page, printing how long each took`, async () => {
    const readingTable = `Reading-${apiId}-dev`;
    const batches: Record<string, AttributeValue>[][] = [];
    for (let i = 0; i < READINGS; i += 25)
      batches.push(Array.from({ length: 25 }, (_, j) => ({ id: { S: `reading-${String(i + j).padStart(5, '0')}` }, value: { N: String(i + j) } })));
    for (let i = 0; i < batches.length; i += 40)
      await Promise.all(
        batches
          .slice(i, i + 40)
          .map((batch) => db.send(new BatchWriteItemCommand({ RequestItems: { [readingTable]: batch.map((Item) => ({ PutRequest: { Item } })) } }))),
      );

    const { context, page } = await signedIn();
    await page.goto(`${url}/_forte/console/apps/${appId}/env/dev/data/${readingTable}`);
    const pager = page.getByRole('navigation', { name: 'Pages' });
    await pager.getByText('Page 1 · 25 items').waitFor();
    assert.match((await page.getByText(/^Key: /).textContent()) ?? '', new RegExp(`items: ${READINGS}$`));
    // Each page's call as the page timed it (its fetch through the pipe), and click to shown as the test saw it.
    const calls: number[] = [];
    const shown: number[] = [];
    const seenIds = new Set<string>();
    // Every state of the pager the page goes through, with its first row's key as it was then.
    await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { body: object; querySelector(s: string): { textContent: string | null } | null } }).document;
      const states: [string, string][] = [];
      (globalThis as unknown as { pagerStates: [string, string][] }).pagerStates = states;
      const text = (selector: string): string => doc.querySelector(selector)?.textContent ?? '';
      const watch = (): number => states.push([text('nav[aria-label="Pages"] [role="status"]'), text('[role="region"][aria-label="Items"] tbody td')]);
      const { MutationObserver } = globalThis as unknown as { MutationObserver: new (f: () => void) => { observe(node: object, options: object): void } };
      new MutationObserver(watch).observe(doc.body, { childList: true, subtree: true, characterData: true });
    });
    for (let n = 2; n <= 21; n++) {
      const started = Date.now();
      await pager.getByRole('button', { name: 'Next' }).click();
      await pager.getByText(`Page ${n} · 25 items`).waitFor();
      shown.push(Date.now() - started);
      calls.push(Number(await page.locator('[data-page-ms]').getAttribute('data-page-ms')));
      for (const id of await page.getByRole('region', { name: 'Items' }).locator('tbody tr td:first-child').allTextContents()) seenIds.add(id);
    }
    assert.equal(seenIds.size, 20 * 25, 'every page holds new items');
    // A page's label is never shown over another page's rows (not even for a moment, before the new page is asked for).
    const firstRowsOf = new Map<string, Set<string>>();
    for (const [label, first] of await page.evaluate(() => (globalThis as unknown as { pagerStates: [string, string][] }).pagerStates))
      if (/^Page \d+ · /.test(label)) firstRowsOf.set(label, (firstRowsOf.get(label) ?? new Set()).add(first));
    assert.ok(firstRowsOf.size >= 20, [...firstRowsOf.keys()].join(', '));
    for (const [label, firsts] of firstRowsOf) assert.equal(firsts.size, 1, `"${label}" was shown over the rows starting ${[...firsts].join(' and ')}`);
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.log(
      `# ${READINGS} items: a page's call median ${median(calls)} ms (slowest ${Math.max(...calls)}); click to shown median ${median(shown)} ms (slowest ${Math.max(...shown)})`,
    );
    await check(page, '8-10000-items');
    await context.close();
  });
  void it("a NoSQL table of the storage category: an item with a number sort key made in the UI is the SDK's", async () => {
    const { context, page } = await signedIn();
    await page.goto(`${url}/_forte/console/apps/${appId}/env/dev/data/beer-dev`);
    await page.getByRole('heading', { name: 'Table beer-dev' }).waitFor();
    await page.getByText('No items on this page.').waitFor();
    await page.getByRole('button', { name: 'New item' }).click();
    const creator = page.getByRole('region', { name: 'New item' });
    await creator.getByLabel('Value of brand').fill('acme');
    await creator.getByLabel('Value of batch').fill('12a');
    await creator.getByRole('button', { name: 'Create item' }).click();
    await creator.getByRole('alert').getByText('batch: "12a" is not a number').waitFor();
    await creator.getByLabel('Value of batch').fill('12');
    await creator.getByRole('button', { name: 'Add attribute' }).click();
    await creator.getByLabel('Name of attribute 3').fill('organic');
    await creator.getByLabel('Type of organic').selectOption('BOOL');
    await creator.getByLabel('Value of organic: true').check();
    await creator.getByRole('button', { name: 'Create item' }).click();
    await creator.waitFor({ state: 'detached' });
    const made = await db.send(new GetItemCommand({ TableName: 'beer-dev', Key: { brand: { S: 'acme' }, batch: { N: '12' } } }));
    assert.deepEqual(made.Item, { brand: { S: 'acme' }, batch: { N: '12' }, organic: { BOOL: true } });
    await page.getByRole('region', { name: 'Items' }).getByRole('cell', { name: 'acme', exact: true }).waitFor();
    assert.match((await page.locator('.notice').textContent()) ?? '', /stream \(NEW_IMAGE\)/);
    await check(page, '9-nosql-table');

    // A table that is not there: the cloud's own message, not a blank page.
    await page.goto(`${url}/_forte/console/apps/${appId}/env/dev/data/no-such-table`);
    await page.getByRole('alert').getByText('Requested resource not found: Table: no-such-table not found').waitFor();
    await context.close();
  });
});
