import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { generateClient } from 'aws-amplify/api';
import { signIn, signOut } from 'aws-amplify/auth';
import { chromium, type Browser, type Page } from 'playwright-core';
import { configureAmplifyFrom } from './amplify-app.js';
import { checkPage, cloudOf, consoleLoginLink, pageOverflow, watchedPage } from './console-browser-kit.js';
import { CHROMIUM, CHROMIUM_ARGS, missingBrowser, REPO } from './example-app.js';
import { useProject } from './forte-runner.js';

const skipReason = missingBrowser("the web console's GraphQL page in Chromium");

/** Username sign-in (Amplify's AddAuthRequest v2). */
const ADD_AUTH_REQUEST = {
  version: 2,
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool: false,
    userPoolConfiguration: { signinMethod: 'USERNAME', requiredSignupAttributes: ['EMAIL'] },
  },
};

const SCHEMA = `type Note @model @auth(rules: [{ allow: owner }, { allow: public, provider: apiKey, operations: [read] }]) {
  id: ID!
  content: String!
}
`;

/** Amplify's AddApiRequest v1: user pools by default, an API key for public reads, IAM for the admin. */
const ADD_API_REQUEST = {
  version: 1,
  serviceConfiguration: {
    serviceName: 'AppSync',
    apiName: 'notes',
    transformSchema: SCHEMA,
    defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' },
    additionalAuthTypes: [{ mode: 'API_KEY', expirationTime: 30, keyDescription: 'public reads' }, { mode: 'AWS_IAM' }],
  },
};

const LIST = 'query ListNotes { listNotes { items { id content owner } } }';

interface Client {
  graphql(options: { query: string; variables?: Record<string, unknown>; authMode?: 'apiKey' | 'userPool' }): Promise<{ data: any }>;
}

void describe("the web console's GraphQL page in headless Chromium", { skip: skipReason }, () => {
  const project = useProject('forte-console-graphql-', 'gqlapp', { auth: ADD_AUTH_REQUEST });
  let browser: Browser | undefined;
  const artifacts = join(REPO, 'test-artifacts', 'console-graphql');

  before(async () => {
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(() => browser?.close());

  /** Runs the editor's request and answers the JSON the page shows. */
  const run = async (page: Page, how: 'button' | 'keys'): Promise<{ status: string; body: any }> => {
    const result = page.getByRole('region', { name: 'Result' });
    // The last answer goes when a run starts; the new one takes its place.
    const last = await page.$('pre[aria-label="Answer"]');
    if (how === 'keys') await page.getByRole('textbox', { name: /^Query/ }).press('Control+Enter');
    else await page.getByRole('button', { name: 'Run', exact: true }).click();
    if (last) await page.waitForFunction((element) => !element.isConnected, last);
    await result.getByLabel('Answer').waitFor();
    return { status: (await result.getByRole('status').textContent()) ?? '', body: JSON.parse((await result.getByLabel('Answer').textContent()) ?? 'null') };
  };

  void it('runs a query with an API key, a mutation as a user that owns the new item, the same list as another user and as the admin, at 1280×800 and 390×844', async () => {
    const api = await project.forte(['add', 'api', '--headless'], JSON.stringify(ADD_API_REQUEST));
    assert.equal(api.code, 0, api.stderr + api.stdout);
    const push = await project.forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const meta = project.readJson('amplify/backend/amplify-meta.json');
    const authName = Object.keys(meta.auth).find((n) => meta.auth[n].service === 'Cognito')!;
    const poolId = String(meta.auth[authName].output.UserPoolId);
    const apiId = String(meta.api.notes.output.GraphQLAPIIdOutput);
    const apiKey = String(meta.api.notes.output.GraphQLAPIKeyOutput);
    const appId = String(meta.providers.awscloudformation.AmplifyAppId);
    const cloud = cloudOf(project.home);
    const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud, maxAttempts: 1 });
    const db = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: 'us-east-1', credentials: cloud, maxAttempts: 1 });
    for (const username of ['alice', 'bob']) {
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
        }),
      );
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: 'Password-123', Permanent: true }));
    }
    const aliceSub = (await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }))).UserAttributes!.find((a) => a.Name === 'sub')!.Value!;
    const check = (page: Page, name: string): Promise<void> => checkPage(page, artifacts, name);

    const link = await consoleLoginLink({ cwd: project.root, home: project.home });
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await watchedPage(context);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();

    // The environment links to its GraphQL page; the API key is the first mode, the schema is read with it.
    await page.goto(`${cloud.url}/_forte/console/apps/${appId}/env/dev`);
    await page.getByRole('navigation', { name: 'Environment tools' }).getByRole('link', { name: 'GraphQL', exact: true }).click();
    await page.getByRole('heading', { name: 'GraphQL of dev' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/_forte/console/apps/${appId}/env/dev/graphql`);
    const schema = page.getByRole('region', { name: 'Schema' });
    await schema.getByText('CreateNoteInput', { exact: true }).waitFor();
    assert.ok(await page.getByRole('radio', { name: 'API key' }).isChecked());
    await schema.getByLabel('Find a type or field').fill('owner');
    await schema.getByText('owner: String').first().waitFor();
    assert.ok(!(await page.content()).includes(apiKey), 'the API key is never rendered whole');
    const shownKey = (await page.getByRole('combobox', { name: /^Key/ }).locator('option').first().textContent()) ?? '';
    assert.ok(shownKey.startsWith(`${apiKey.slice(0, 8)}…`), shownKey);

    // A query with the API key, run from the keyboard.
    await page.getByRole('textbox', { name: /^Query/ }).fill(LIST);
    let answer = await run(page, 'keys');
    assert.match(answer.status, /HTTP 200/);
    assert.deepEqual(answer.body, { data: { listNotes: { items: [] } } });
    await check(page, '1-api-key');

    // A mutation as alice, with variables and an operation name: the cloud issues her tokens, no password asked.
    await page.getByRole('radio', { name: 'A user' }).check();
    await page.getByLabel('Username').fill('alice');
    await page
      .getByRole('textbox', { name: /^Query/ })
      .fill(`${LIST}\nmutation Add($input: CreateNoteInput!) { createNote(input: $input) { id content owner } }`);
    await page.getByLabel('Variables (JSON)').fill('{"input": {"content": "written as alice"}}');
    await page.getByLabel('Operation name').fill('Add');
    answer = await run(page, 'button');
    assert.match(answer.status, /HTTP 200/);
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body));
    const note = answer.body.data.createNote as { id: string; content: string; owner: string };
    assert.equal(note.content, 'written as alice');
    await check(page, '2-as-user');

    // The item's owner is alice: DynamoDB holds her identity claim (`<sub>::<username>`), GraphQL answers her
    // username, and aws-amplify signed in as alice sees the item.
    const stored = await db.send(new GetItemCommand({ TableName: `Note-${apiId}-dev`, Key: { id: { S: note.id } } }));
    assert.equal(stored.Item?.owner?.S, `${aliceSub}::alice`);
    configureAmplifyFrom(project.root);
    const client = generateClient() as unknown as Client;
    await signIn({ username: 'alice', password: 'Password-123' });
    assert.deepEqual((await client.graphql({ query: LIST, authMode: 'userPool' })).data.listNotes.items, [
      { id: note.id, content: 'written as alice', owner: 'alice' },
    ]);
    await signOut();
    await signIn({ username: 'bob', password: 'Password-123' });
    assert.deepEqual((await client.graphql({ query: LIST, authMode: 'userPool' })).data.listNotes.items, []);
    await signOut();

    // As bob in the console the owner item is not visible; alice's own list has it.
    await page.getByLabel('Username').fill('bob');
    await page.getByLabel('Operation name').fill('ListNotes');
    answer = await run(page, 'button');
    assert.deepEqual(answer.body, { data: { listNotes: { items: [] } } });
    await page.getByLabel('Username').fill('alice');
    answer = await run(page, 'keys');
    assert.deepEqual(
      answer.body.data.listNotes.items.map((n: { id: string }) => n.id),
      [note.id],
    );

    // IAM: the admin's rights, through the console's pipe, see every item.
    await page.getByRole('radio', { name: 'IAM (the admin)' }).check();
    answer = await run(page, 'button');
    assert.deepEqual(answer.body.data.listNotes.items, [{ id: note.id, content: 'written as alice', owner: 'alice' }]);
    // The schema read again as the admin: the old one stays on show meanwhile, so the wait is for the answer.
    const reloaded = page.waitForResponse((r) => (r.request().postData() ?? '').includes('__schema'));
    await page.getByRole('button', { name: 'Reload the schema' }).click();
    const reload = await reloaded;
    assert.equal(reload.status(), 200, await reload.text());
    assert.equal((JSON.parse(await reload.text()) as { errors?: unknown }).errors, undefined, await reload.text());
    await schema.getByText(/\d+ of \d+ types/).waitFor();

    // Phone-sized: nothing scrolls sideways but the page's own boxes.
    await page.setViewportSize({ width: 390, height: 844 });
    const { width, beyond } = await pageOverflow(page, 390);
    await check(page, '3-graphql-390');
    assert.ok(width <= 390, `the page is ${width} px wide at 390: ${beyond.join('; ')}`);
    await page.setViewportSize({ width: 1280, height: 800 });

    assert.deepEqual(errors, [], 'no console errors');
    db.destroy();
    await context.close();
  });
});
