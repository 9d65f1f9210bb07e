import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';

/** The real Gen 1 projects (../shared next to the repository); these tests fail where it is missing. */
const CORPUS = new URL('../../../../shared/corpus/gen1-projects/', import.meta.url).pathname;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

/** Only what Amplify makes up at random or from the machine: the role's UUID suffix and the stack description. */
function normalise(template: any): any {
  const text = JSON.stringify(template).replace(/LambdaRole[0-9a-f]{8}/g, 'LambdaRole<uuid>');
  const out = JSON.parse(text);
  delete out.Description;
  return out;
}

/** A project holding the corpus app's other resources (backend-config without its functions, api and storage folders). */
function projectLike(app: string): string {
  const backend = join(CORPUS, app, '_snapshot.pre.generate/amplify/backend');
  assert.ok(existsSync(backend), `${backend} is missing: these tests read the corpus in ../shared`);
  const root = mkdtempSync(join(tmpdir(), 'forte-fn-corpus-'));
  const config = readJson(join(backend, 'backend-config.json'));
  delete config.function;
  delete config.parameters;
  mkdirSync(join(root, 'amplify/backend'), { recursive: true });
  writeFileSync(join(root, 'amplify/backend/backend-config.json'), JSON.stringify(config));
  writeFileSync(join(root, 'amplify/backend/amplify-meta.json'), JSON.stringify({ providers: { awscloudformation: { AmplifyAppId: app.split('-')[0] } } }));
  for (const category of ['api', 'storage'])
    if (existsSync(join(backend, category))) cpSync(join(backend, category), join(root, 'amplify/backend', category), { recursive: true });
  return root;
}

/** A stand-in for the cloud's SSM endpoint that records PutParameter calls (AWS JSON 1.1). */
async function fakeSsm(): Promise<{ server: Server; endpoint: string; puts: any[] }> {
  const puts: any[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      assert.equal(req.url, '/ssm/');
      assert.equal(req.headers['x-amz-target'], 'AmazonSSM.PutParameter');
      puts.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ Version: 1, Tier: 'Standard' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { server, endpoint: `http://127.0.0.1:${port}`, puts };
}

const NO_ADVANCED = {
  'Select which capability': 'function',
  'Choose the runtime': 'NodeJS',
  'Choose the function template': 'hello-world',
  'configure advanced settings': false,
};
const ADVANCED = {
  ...NO_ADVANCED,
  'configure advanced settings': true,
  'access other resources': true,
  'recurring schedule': false,
  'Lambda layers': false,
  'environment variables for this function': false,
  'secret values': false,
  'package manager': 'npm',
};

void describe('forte add function, answered as the corpus READMEs did, writes the files of the real projects', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });

  async function addAs(app: string, answers: Record<string, string | boolean | (string | boolean)[]>, cloud?: string) {
    const root = projectLike(app);
    roots.push(root);
    const fake = createFakePluginContext(root, { plugin: 'function', command: 'add', answers });
    fake.project.config.projectName = readJson(join(CORPUS, app, '_snapshot.pre.generate/amplify/.config/project-config.json')).projectName;
    if (cloud) fake.ctx.cloud = async () => ({ endpoint: cloud, accessKeyId: 'AKID', secretAccessKey: 'secret', region: 'us-east-1' });
    await plugin.executeCommand(fake.ctx);
    return { root, ...fake };
  }

  function assertSameFiles(root: string, app: string, name: string, files: string[]): void {
    const mine = join(root, 'amplify/backend/function', name);
    const real = join(CORPUS, app, '_snapshot.pre.generate/amplify/backend/function', name);
    assert.deepEqual(
      normalise(readJson(join(mine, `${name}-cloudformation-template.json`))),
      normalise(readJson(join(real, `${name}-cloudformation-template.json`))),
      `${app} ${name} template`,
    );
    for (const file of files) assert.deepEqual(readJson(join(mine, file)), readJson(join(real, file)), `${app} ${name} ${file}`);
  }

  function assertBackendEntry(root: string, app: string, name: string): void {
    const mine = readJson(join(root, 'amplify/backend/backend-config.json'));
    const real = readJson(join(CORPUS, app, '_snapshot.pre.generate/amplify/backend/backend-config.json'));
    assert.deepEqual(mine.function[name], real.function[name], `${app} backend-config function.${name}`);
    const ours = Object.keys(mine.parameters).filter((k) => k.startsWith(`AMPLIFY_function_${name}_`));
    const theirs = Object.keys(real.parameters ?? {}).filter((k) => k.startsWith(`AMPLIFY_function_${name}_`));
    assert.deepEqual(ours.sort(), theirs.sort(), `${app} backend-config parameters of ${name}`);
    for (const key of ours) assert.deepEqual(mine.parameters[key], real.parameters[key]);
  }

  const COMMON = ['function-parameters.json', 'parameters.json', 'amplify.state', 'custom-policies.json', 'src/event.json'];

  void it('project-boards quotegenerator: Hello World, no advanced settings', async () => {
    const { root, asked } = await addAs('project-boards', { ...NO_ADVANCED, 'function name': 'quotegenerator' });
    assertSameFiles(root, 'project-boards', 'quotegenerator', [...COMMON.filter((f) => f !== 'parameters.json'), 'src/package.json']);
    assert.ok(
      !existsSync(join(root, 'amplify/backend/function/quotegenerator/parameters.json')) ||
        readJson(join(root, 'amplify/backend/function/quotegenerator/parameters.json')),
    );
    assertBackendEntry(root, 'project-boards', 'quotegenerator');
    assert.deepEqual(asked.slice(0, 5), [
      'Select which capability you want to add:',
      'Provide an AWS Lambda function name:',
      'Choose the runtime that you want to use:',
      'Choose the function template that you want to use:',
      'Do you want to configure advanced settings?',
    ]);
  });

  void it('discussions fetchuseractivity: read access to a storage DynamoDB table', async () => {
    const { root, printed } = await addAs('discussions-multi-ddb', {
      ...ADVANCED,
      'function name': 'fetchuseractivity',
      'Select the categories': 'storage',
      'resources in this project. Select the one': 'activity',
      'Select the operations you want to permit on activity': 'read',
    });
    assertSameFiles(root, 'discussions-multi-ddb', 'fetchuseractivity', COMMON);
    assertBackendEntry(root, 'discussions-multi-ddb', 'fetchuseractivity');
    assert.ok(printed.includes('\tSTORAGE_ACTIVITY_STREAMARN'));
  });

  void it('discussions recorduseractivity: a DynamoDB stream trigger on three @model tables, with CRUD access to storage', async () => {
    const { root } = await addAs('discussions-multi-ddb', {
      ...ADVANCED,
      'function name': 'recorduseractivity',
      'Choose the function template': 'trigger',
      'What event source': 'dynamodb',
      'Choose a DynamoDB event source option': 'model',
      'Choose the graphql @model(s)': 'Topic, Post, Comment',
      'Select the categories': 'storage',
      'resources in this project. Select the one': 'activity',
      'Select the operations you want to permit on activity': 'create, read, update, delete',
    });
    assertSameFiles(root, 'discussions-multi-ddb', 'recorduseractivity', [...COMMON, 'src/package.json']);
    assertBackendEntry(root, 'discussions-multi-ddb', 'recorduseractivity');
  });

  void it('media-vault thumbnailgen (S3 CRUD) and addusertogroup (Cognito CRUD)', async () => {
    const thumb = await addAs('media-vault', {
      ...ADVANCED,
      'function name': 'thumbnailgen',
      'Select the categories': 'storage',
      'Storage has 2 resources in this project. Select the one you would like your Lambda to access': 'mediavault',
      'Select the operations you want to permit on mediavault': 'create, read, update, delete',
    });
    assert.ok(
      thumb.asked.some((q) => q.startsWith('Storage has 2 resources in this project.')),
      "the bucket and the API's @model table, as in the README",
    );
    assertSameFiles(thumb.root, 'media-vault', 'thumbnailgen', COMMON);
    assertBackendEntry(thumb.root, 'media-vault', 'thumbnailgen');
    const add = await addAs('media-vault', {
      ...ADVANCED,
      'function name': 'addusertogroup',
      'Select the categories': 'auth',
      'Select the operations you want to permit on mediavault1f08412d': 'create, read, update, delete',
    });
    assertSameFiles(add.root, 'media-vault', 'addusertogroup', COMMON);
    assertBackendEntry(add.root, 'media-vault', 'addusertogroup');
  });

  void it('product-catalog lowstockproducts: AppSync Query access, an env var and a secret set in the cloud at once', async () => {
    const ssm = await fakeSsm();
    try {
      const { root, printed } = await addAs(
        'product-catalog',
        {
          ...ADVANCED,
          'function name': 'lowstockproducts',
          'Select the categories': 'api',
          'Select the operations you want to permit on productcatalog': 'Query',
          'environment variables for this function': true,
          'environment variable name': 'LOW_STOCK_THRESHOLD',
          'environment variable value': '5',
          'with environment variables': 'done',
          'secret values': true,
          'Enter a secret name': 'PRODUCT_CATALOG_SECRET',
          'Enter the value for PRODUCT_CATALOG_SECRET': 'shhh',
          'What do you want to do?': 'done',
        },
        ssm.endpoint,
      );
      assertSameFiles(root, 'product-catalog', 'lowstockproducts', COMMON);
      assertBackendEntry(root, 'product-catalog', 'lowstockproducts');
      const tpi = readJson(join(root, 'amplify/team-provider-info.json'));
      assert.deepEqual(tpi.dev.categories.function.lowstockproducts, { lowStockThreshold: '5', secretsPathAmplifyAppId: 'product' });
      assert.deepEqual(ssm.puts, [
        { Name: '/amplify/product/dev/AMPLIFY_lowstockproducts_PRODUCT_CATALOG_SECRET', Value: 'shhh', Type: 'SecureString', Overwrite: true },
      ]);
      assert.ok(!printed.join('\n').includes('shhh'), 'the secret is never printed');
      const index = readFileSync(join(root, 'amplify/backend/function/lowstockproducts/src/index.js'), 'utf8');
      assert.match(
        index,
        /Amplify Params - DO NOT EDIT\n\tAPI_PRODUCTCATALOG_GRAPHQLAPIENDPOINTOUTPUT\n[\s\S]*\tPRODUCT_CATALOG_SECRET\n\tREGION\nAmplify Params/,
      );
    } finally {
      ssm.server.close();
    }
  });
});
