/**
 * The console on the sample app (what `npm run demo` publishes: auth, the to-do API, hosting), with a function and
 * a bucket added so that every page of an environment has something to show: signed in with a login link, every
 * page reachable from the environment is walked at 1280×800 and 390×844 (screenshot, axe, no page-wide sideways
 * scroll, no console error), and from each page's load the Tab key reaches the main navigation and the page's
 * primary action, every stop on the way with a visible focus indicator.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdminCreateUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { checkPage, cloudOf, consoleLoginLink, pageOverflow, watchedPage } from './console-browser-kit.js';
import { CHROMIUM, CHROMIUM_ARGS, EXAMPLE_FRONTEND, REPO, copyExampleApp, missingBrowser } from './example-app.js';
import { removeProject, runForte } from './forte-runner.js';
import { tabStops } from './tab-stops.js';

const skipReason = missingBrowser('the console on the sample app in Chromium');

/** A page of the walk: its address, what shows it is loaded, and its primary action. */
interface Stop {
  name: string;
  url: string;
  ready(page: Page): Locator;
  primary(page: Page): Locator;
}

/** The fallbacks app.tsx shows while a lazy page's chunk loads. */
const FALLBACKS = ['Loading…', 'Loading the page…', 'Loading the users page…', 'Loading the hosting page…', 'Loading the GraphQL page…'];

/** In each page before its scripts: notes in `__fallbacks` every Suspense fallback that enters the document. */
function watchFallbacks(fallbacks: string[]): void {
  interface Node {
    textContent: string | null;
    querySelectorAll(selector: string): Iterable<Node>;
  }
  const page = globalThis as unknown as {
    __fallbacks: string[];
    document: Node;
    MutationObserver: new (f: () => void) => { observe(target: Node, options: object): void };
  };
  page.__fallbacks = [];
  const known = new Set(fallbacks);
  new page.MutationObserver(() => {
    for (const p of page.document.querySelectorAll('main p')) {
      const text = p.textContent ?? '';
      if (known.has(text) && !page.__fallbacks.includes(text)) page.__fallbacks.push(text);
    }
  }).observe(page.document, { childList: true, subtree: true, characterData: true });
}

void describe('the console on the sample app in headless Chromium: every page of an environment, by mouse and by keyboard', { skip: skipReason }, () => {
  const artifacts = join(REPO, 'test-artifacts', 'console-sample-app');
  let work = '';
  let home = '';
  let root = '';
  let browser: Browser | undefined;
  let signedIn: { context: BrowserContext; page: Page; errors: string[] } | undefined;
  const stops: Stop[] = [];
  const forte = async (args: string[], stdin?: string): Promise<void> => {
    const run = await runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
    assert.equal(run.code, 0, `forte ${args.join(' ')}\n${run.stdout}\n${run.stderr}`);
  };

  before(async () => {
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    ({ work, home, root } = copyExampleApp('sample-app'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    // What `npm run demo` publishes (scripts/demo.mjs), plus a function and a bucket.
    await forte(['init', '--amplify', '{"projectName":"sampleapp","envName":"dev"}', '--frontend', EXAMPLE_FRONTEND, '--yes']);
    const addApi = {
      version: 1,
      serviceConfiguration: {
        serviceName: 'AppSync',
        apiName: 'todos',
        transformSchema: readFileSync(join(root, 'backend/schema.graphql'), 'utf8'),
        defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' },
      },
    };
    await forte(['add', 'auth', '--yes']);
    await forte(['add', 'api', '--headless'], JSON.stringify(addApi));
    await forte(['add', 'hosting', '--yes']);
    await forte(['add', 'function', '--headless'], JSON.stringify({ name: 'hello' }));
    const storage = { version: 1, serviceConfiguration: { serviceName: 'S3', resourceName: 'media', bucketName: 'media', permissions: { auth: ['READ'] } } };
    await forte(['add', 'storage', '--headless'], JSON.stringify(storage));
    await forte(['publish', '--yes']);

    // Something on every page: a user, a to-do, a function's log.
    const cloud = cloudOf(home);
    const credentials = { accessKeyId: cloud.accessKeyId, secretAccessKey: cloud.secretAccessKey };
    const meta = JSON.parse(readFileSync(join(root, 'amplify', 'backend', 'amplify-meta.json'), 'utf8')) as {
      providers: { awscloudformation: { AmplifyAppId: string } };
      auth: Record<string, { output: { UserPoolId: string } }>;
    };
    const appId = meta.providers.awscloudformation.AmplifyAppId;
    const poolId = Object.values(meta.auth)[0]!.output.UserPoolId;
    const cognito = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials });
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'ada@example.com', MessageAction: 'SUPPRESS' }));
    cognito.destroy();
    const dynamodb = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb/`, region: 'us-east-1', credentials });
    const todoTable = (await dynamodb.send(new ListTablesCommand({}))).TableNames!.find((name) => name.startsWith('Todo-'));
    assert.ok(todoTable, 'the to-do table exists');
    const now = new Date().toISOString();
    await dynamodb.send(
      new PutItemCommand({
        TableName: todoTable,
        Item: {
          id: { S: 'todo-1' },
          content: { S: 'water the plants' },
          done: { BOOL: false },
          owner: { S: 'ada' },
          createdAt: { S: now },
          updatedAt: { S: now },
        },
      }),
    );
    dynamodb.destroy();
    const lambda = new LambdaClient({ endpoint: cloud.url, region: 'us-east-1', credentials });
    await lambda.send(new InvokeCommand({ FunctionName: 'hello-dev', Payload: Buffer.from('{"from":"the suite"}') }));
    lambda.destroy();

    // The pages, as the environment page links them (and the pages it leads to link theirs).
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(watchFallbacks, FALLBACKS);
    signedIn = { context, ...(await watchedPage(context)) };
    const { page } = signedIn;
    await page.goto(await consoleLoginLink({ cwd: root, home }));
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
    const environment = `${cloud.url}/_forte/console/apps/${appId}/env/dev`;
    await page.goto(environment);
    await page.getByRole('heading', { name: 'Environment dev' }).waitFor();
    const href = async (link: Locator): Promise<string> => new URL((await link.getAttribute('href'))!, cloud.url).toString();
    const tools = page.getByRole('navigation', { name: 'Environment tools' });
    await page.getByRole('region', { name: 'Deployments' }).getByRole('link').first().waitFor();
    const linked = {
      deployment: await href(page.getByRole('region', { name: 'Deployments' }).getByRole('link').first()),
      users: await href(page.getByRole('link', { name: /^Users of / }).first()),
      data: await href(tools.getByRole('link', { name: 'Data' })),
      graphql: await href(tools.getByRole('link', { name: 'GraphQL' })),
      files: await href(tools.getByRole('link', { name: 'Files' })),
      functions: await href(tools.getByRole('link', { name: 'Functions' })),
      hosting: await href(tools.getByRole('link', { name: 'Hosting' })),
      logs: await href(page.getByRole('banner').getByRole('link', { name: 'Logs' })),
    };
    await page.goto(linked.data);
    const tableLink = page.getByRole('region', { name: 'Tables' }).getByRole('link', { name: todoTable });
    const table = await href(tableLink);
    await page.goto(linked.functions);
    const fn = await href(page.getByRole('region', { name: 'Functions' }).getByRole('link', { name: 'hello-dev' }));
    await page.goto(linked.files);
    const bucket = await href(page.getByRole('region', { name: 'Buckets' }).getByRole('link', { name: /^media/ }));

    stops.push(
      {
        name: 'environment',
        url: environment,
        ready: (p) => p.getByRole('region', { name: 'Resources' }),
        primary: (p) => p.getByRole('navigation', { name: 'Environment tools' }).getByRole('link', { name: 'Files' }),
      },
      {
        name: 'deployment',
        url: linked.deployment,
        ready: (p) => p.getByRole('region', { name: 'Events' }),
        primary: (p) => p.getByRole('region', { name: 'Events' }),
      },
      {
        name: 'users',
        url: linked.users,
        ready: (p) => p.getByRole('region', { name: 'Users' }).getByText('ada@example.com').first(),
        primary: (p) => p.getByRole('button', { name: 'Search' }),
      },
      {
        name: 'data',
        url: linked.data,
        ready: (p) => p.getByRole('region', { name: 'Tables' }).getByRole('link', { name: todoTable }),
        primary: (p) => p.getByRole('region', { name: 'Tables' }).getByRole('link', { name: todoTable }),
      },
      { name: 'table', url: table, ready: (p) => p.getByText('water the plants'), primary: (p) => p.getByRole('button', { name: 'New item' }) },
      { name: 'graphql', url: linked.graphql, ready: (p) => p.getByRole('button', { name: 'Run' }), primary: (p) => p.getByRole('button', { name: 'Run' }) },
      {
        name: 'files',
        url: linked.files,
        ready: (p) => p.getByRole('region', { name: 'Buckets' }).getByRole('link', { name: /^media/ }),
        primary: (p) => p.getByRole('region', { name: 'Buckets' }).getByRole('link', { name: /^media/ }),
      },
      {
        name: 'bucket',
        url: bucket,
        ready: (p) => p.getByText('This folder is empty.'),
        primary: (p) => p.getByLabel('File to upload here'),
      },
      {
        name: 'functions',
        url: linked.functions,
        ready: (p) => p.getByRole('link', { name: 'hello-dev' }),
        primary: (p) => p.getByRole('link', { name: 'hello-dev' }),
      },
      {
        name: 'function',
        url: fn,
        ready: (p) => p.getByRole('region', { name: 'Log events' }).getByText('the suite').first(),
        primary: (p) => p.getByRole('button', { name: 'Invoke' }),
      },
      {
        name: 'hosting',
        url: linked.hosting,
        ready: (p) => p.getByRole('link', { name: /^http:\/\// }).first(),
        primary: (p) => p.getByRole('link', { name: /^http:\/\// }).first(),
      },
      {
        name: 'logs',
        url: linked.logs,
        ready: (p) => p.getByRole('region', { name: 'Requests' }),
        primary: (p) => p.getByRole('button', { name: 'Apply filters' }),
      },
    );
  });
  after(async () => {
    await signedIn?.context.close();
    await browser?.close();
    await removeProject({ work, home });
  });

  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    void it(`shows every page at ${width}×${height}: screenshot, axe, no sideways scroll, no console error, no loading fallback`, async () => {
      const { page, errors } = signedIn!;
      await page.setViewportSize({ width, height });
      for (const [i, stop] of stops.entries()) {
        await page.goto(stop.url);
        await stop.ready(page).waitFor();
        // Opened at its address, a page's chunk loads with the session check: its Suspense fallback never shows.
        assert.deepEqual(await page.evaluate(() => (globalThis as unknown as { __fallbacks: string[] }).__fallbacks), [], `${stop.name}: fallbacks shown`);
        await checkPage(page, artifacts, `${width}-${String(i + 1).padStart(2, '0')}-${stop.name}`);
        const { width: laidOut, beyond } = await pageOverflow(page, width);
        assert.ok(laidOut <= width, `${stop.name} is ${laidOut} px wide at ${width}: ${beyond.join('; ')}`);
      }
      assert.deepEqual(errors, [], 'no console errors');
    });
  }

  void it("reaches the main navigation and each page's primary action with Tab from the page's load, every stop with a visible focus indicator", async () => {
    const { page, errors } = signedIn!;
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const stop of stops) {
      await page.goto(stop.url);
      await stop.ready(page).waitFor();
      const stops = await tabStops(page, stop.primary(page));
      const names = stops.map((s) => s.name);
      assert.ok(stops.at(-1)?.isTarget, `${stop.name}: Tab never reached its primary action; it went through ${names.join(' → ')}`);
      for (const nav of ['Skip to content', 'Forte console', 'Logs'])
        assert.ok(
          stops.some((s) => s.name === nav),
          `${stop.name}: Tab passes the main navigation's ${nav} (${names.join(' → ')})`,
        );
      const unmarked = stops.filter((s) => s.focused === s.unfocused).map((s) => `${s.name} (${s.focused})`);
      assert.deepEqual(unmarked, [], `${stop.name}: stops whose focus does not show`);
    }
    assert.deepEqual(errors, [], 'no console errors');
  });
});
