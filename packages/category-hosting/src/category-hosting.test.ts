import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  isUserError,
  RESOURCE_TYPES,
  templateSchema,
  type CategoryPlugin,
  type LocalSiteFile,
  type PluginContext,
  type ProviderPlugin,
  type ResourceRef,
} from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';

const categoryPlugin: CategoryPlugin = plugin;

interface Fake {
  ctx: PluginContext;
  root: string;
  printed: string[];
  asked: string[];
  deployed: { siteId: string; files: LocalSiteFile[] }[];
}

const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

/** A project folder and a PluginContext whose prompter answers from `answers` (by question) or the default. */
function fakeContext(root: string, options: { command?: string; yes?: boolean; answers?: Record<string, string | boolean> } = {}): Fake {
  const deployed: Fake['deployed'] = [];
  const provider: Partial<ProviderPlugin> = {
    async deploySite(_ctx, args) {
      deployed.push(args);
      return { url: 'http://myapp-dev.localhost:20002/', uploaded: args.files.length, deploymentId: 'dep-1' };
    },
  };
  const fake = createFakePluginContext(root, { plugin: 'hosting', ...options, provider });
  return { ctx: fake.ctx, root, printed: fake.printed, asked: fake.asked, deployed };
}

const ref = (root: string, service: string): ResourceRef => ({
  category: 'hosting',
  resourceName: service,
  service,
  dir: join(root, 'amplify', 'backend', 'hosting', service),
});

void describe('category-hosting', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-hosting-cat-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  void it('ships a manifest naming its commands and services', () => {
    const manifest = readJson(new URL('../forte-plugin.json', import.meta.url).pathname);
    assert.equal(manifest.name, 'hosting');
    assert.equal(manifest.type, 'category');
    assert.deepEqual(manifest.services, ['amplifyhosting', 'S3AndCloudFront']);
    assert.deepEqual(manifest.commandAliases, { enable: 'add', update: 'configure' });
  });

  void it('adds amplifyhosting with --yes and refuses a second hosting resource', async () => {
    const f = fakeContext(root, { command: 'add', yes: true });
    await categoryPlugin.executeCommand(f.ctx);
    const dir = join(root, 'amplify/backend/hosting/amplifyhosting');
    const template = readJson(join(dir, 'amplifyhosting-template.json'));
    assert.equal(template.Resources.Site.Type, RESOURCE_TYPES.hostingSite);
    const entry = { service: 'amplifyhosting', providerPlugin: 'awscloudformation', type: 'manual' };
    assert.deepEqual(readJson(join(root, 'amplify/backend/backend-config.json')).hosting, { amplifyhosting: entry });
    assert.deepEqual(readJson(join(root, 'amplify/backend/amplify-meta.json')).hosting, { amplifyhosting: entry });
    assert.ok(f.asked.includes('Select the plugin module to execute'));
    assert.ok(f.printed.some((l) => l.includes('forte publish')));

    const again = fakeContext(root, { command: 'enable', yes: true });
    await assert.rejects(
      categoryPlugin.executeCommand(again.ctx),
      (e: unknown) => isUserError(e) && /amplifyhosting/.test(e.message) && /forte remove hosting/.test(e.resolution),
    );
  });

  void it('refuses continuous deployment', async () => {
    const f = fakeContext(root, { command: 'add', answers: { 'Choose a type': 'cicd' } });
    await assert.rejects(
      categoryPlugin.executeCommand(f.ctx),
      (e: unknown) => isUserError(e) && /not supported yet: use manual deployment and `forte publish`/.test(e.message),
    );
    assert.equal(existsSync(join(root, 'amplify/backend/backend-config.json')), false);
  });

  void it('adds S3AndCloudFront, builds it and switches its environment setup', async () => {
    const f = fakeContext(root, {
      command: 'add',
      answers: { 'Select the plugin module': 'S3AndCloudFront', 'environment setup': 'PROD', 'hosting bucket name': 'my-site-bucket' },
    });
    await categoryPlugin.executeCommand(f.ctx);
    const dir = join(root, 'amplify/backend/hosting/S3AndCloudFront');
    assert.deepEqual(readJson(join(dir, 'parameters.json')), { bucketName: 'my-site-bucket' });
    assert.deepEqual(readJson(join(root, 'amplify/backend/backend-config.json')).hosting, {
      S3AndCloudFront: { service: 'S3AndCloudFront', providerPlugin: 'awscloudformation' },
    });

    const built = await categoryPlugin.build!(f.ctx, ref(root, 'S3AndCloudFront'));
    assert.deepEqual(built.parameters, { bucketName: 'my-site-bucket' });
    const outputs = built.template.Outputs ?? {};
    assert.deepEqual(Object.keys(outputs).sort(), ['CloudFrontSecureURL', 'HostingBucketName', 'Region', 'S3BucketSecureURL', 'SiteId', 'Url', 'WebsiteURL']);
    assert.deepEqual(outputs.CloudFrontSecureURL!.Value, { 'Fn::GetAtt': ['Site', 'Url'] });
    assert.deepEqual(outputs.HostingBucketName!.Value, { 'Fn::Join': ['-', [{ Ref: 'bucketName' }, { Ref: 'env' }]] });

    const update = fakeContext(root, { command: 'update', answers: { 'environment setup': 'DEV' } });
    await categoryPlugin.executeCommand(update.ctx);
    const rebuilt = await categoryPlugin.build!(update.ctx, ref(root, 'S3AndCloudFront'));
    assert.equal(rebuilt.template.Outputs?.CloudFrontSecureURL, undefined);
    assert.ok(rebuilt.template.Outputs?.WebsiteURL);
  });

  void it('validates the hosting bucket name with the S3 rules', async () => {
    const f = fakeContext(root, { command: 'add', answers: { 'Select the plugin module': 'S3AndCloudFront', 'hosting bucket name': 'Bad_Bucket' } });
    await assert.rejects(categoryPlugin.executeCommand(f.ctx), /lowercase letters, digits, dots and hyphens/);
    const defaults = fakeContext(root, { command: 'add', answers: { 'Select the plugin module': 'S3AndCloudFront' } });
    await categoryPlugin.executeCommand(defaults.ctx);
    const { bucketName } = readJson(join(root, 'amplify/backend/hosting/S3AndCloudFront/parameters.json'));
    assert.match(bucketName, /^myapp-\d{14}-hostingbucket$/);
  });

  void it('builds the amplifyhosting nested template', async () => {
    const f = fakeContext(root);
    const built = await categoryPlugin.build!(f.ctx, ref(root, 'amplifyhosting'));
    assert.ok(templateSchema.safeParse(built.template).success);
    assert.deepEqual(built.template.Parameters, { env: { Type: 'String' }, AppId: { Type: 'String' } });
    assert.deepEqual(built.template.Resources, { Site: { Type: 'Forte::Hosting::Site', Properties: { AppId: { Ref: 'AppId' }, EnvName: { Ref: 'env' } } } });
    assert.deepEqual(Object.keys(built.template.Outputs ?? {}), ['SiteId', 'Url']);
  });

  void it('removes only when confirmed', async () => {
    await categoryPlugin.executeCommand(fakeContext(root, { command: 'add', yes: true }).ctx);
    const declined = fakeContext(root, { command: 'remove' });
    await categoryPlugin.executeCommand(declined.ctx);
    assert.ok(existsSync(join(root, 'amplify/backend/hosting/amplifyhosting')), 'the default answer is no');
    await categoryPlugin.executeCommand(fakeContext(root, { command: 'remove', yes: true }).ctx);
    assert.equal(existsSync(join(root, 'amplify/backend/hosting/amplifyhosting')), false);
    assert.equal(readJson(join(root, 'amplify/backend/backend-config.json')).hosting, undefined);
    assert.equal(readJson(join(root, 'amplify/backend/amplify-meta.json')).hosting, undefined);
  });

  void it('publishes the distribution folder minus amplifyPublishIgnore.json globs', async () => {
    const f = fakeContext(root, { command: 'add', yes: true });
    await categoryPlugin.executeCommand(f.ctx);
    const dist = join(root, 'build');
    const resource = ref(root, 'amplifyhosting');
    await assert.rejects(
      categoryPlugin.publish!(f.ctx, resource, { distributionDir: dist }),
      (e: unknown) => isUserError(e) && /build does not exist/.test(e.message) && /DistributionDir/.test(e.resolution),
    );

    mkdirSync(join(dist, 'static/js'), { recursive: true });
    mkdirSync(join(dist, 'drafts'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<p>hi</p>');
    writeFileSync(join(dist, 'static/js/main.js'), 'x');
    writeFileSync(join(dist, 'static/js/main.js.map'), '{}');
    writeFileSync(join(dist, 'drafts/a.html'), 'draft');
    writeFileSync(join(dist, '.DS_Store'), '');
    writeFileSync(join(root, 'amplifyPublishIgnore.json'), JSON.stringify(['*.map', 'drafts', '.DS_Store']));
    await assert.rejects(
      categoryPlugin.publish!(f.ctx, resource, { distributionDir: dist }),
      (e: unknown) => isUserError(e) && /forte push/.test(e.resolution),
    );

    const metaPath = join(root, 'amplify/backend/amplify-meta.json');
    const meta = readJson(metaPath);
    meta.hosting.amplifyhosting.output = { SiteId: 'site-1', Url: 'http://myapp-dev.localhost:20002/' };
    writeFileSync(metaPath, JSON.stringify(meta));
    const result = await categoryPlugin.publish!(f.ctx, resource, { distributionDir: dist });
    assert.equal(result.url, 'http://myapp-dev.localhost:20002/');
    assert.equal(f.deployed.length, 1);
    assert.equal(f.deployed[0]!.siteId, 'site-1');
    assert.deepEqual(
      f.deployed[0]!.files.map((x) => x.path),
      ['index.html', 'static/js/main.js'],
    );
    assert.equal(f.deployed[0]!.files[0]!.absolutePath, join(dist, 'index.html'));
    assert.ok(f.printed.some((l) => l.includes('http://myapp-dev.localhost:20002/')));

    const consoleCtx = fakeContext(root, { command: 'console' });
    await categoryPlugin.executeCommand(consoleCtx.ctx);
    assert.ok(consoleCtx.printed.some((l) => l.includes('http://myapp-dev.localhost:20002/')));
  });
});
