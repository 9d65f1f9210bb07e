/**
 * Real Gen 1 projects (../shared/corpus/gen1-projects, each snapshot a fresh clone's project root) attached
 * with `forte init` and pushed: what Forte deploys goes live, what it lacks is refused before anything is
 * applied. Fails in CI when the corpus is missing.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sharedReference } from '@forte/protocol/shared-reference';
import { removeProject, runForte, runForteInTerminal } from './forte-runner.js';

const shared = sharedReference('the Gen 1 project corpus', ['corpus/gen1-projects']);
const corpus = shared.dir === undefined ? '' : join(shared.dir, 'corpus/gen1-projects');
const projects = corpus === '' ? [] : readdirSync(corpus).filter((name) => existsSync(join(corpus, name, '_snapshot.pre.generate/amplify')));
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

/** The category plugins of this repository and the services each deploys (a plugin that lists none takes all). */
function installedCategories(): Map<string, string[] | undefined> {
  const packages = fileURLToPath(new URL('../../../', import.meta.url));
  const out = new Map<string, string[] | undefined>();
  for (const name of readdirSync(packages)) {
    const file = join(packages, name, 'forte-plugin.json');
    if (!existsSync(file)) continue;
    const manifest = readJson(file);
    if (manifest.type === 'category') out.set(manifest.name, manifest.services);
  }
  return out;
}

/** `category/resource` of each resource of a backend-config that no plugin here deploys. */
function expectedRefusals(backendConfig: Record<string, Record<string, any>>): string[] {
  const plugins = installedCategories();
  const out: string[] = [];
  for (const [category, resources] of Object.entries(backendConfig)) {
    if (category === 'parameters') continue;
    for (const [name, entry] of Object.entries(resources)) {
      const services = plugins.get(category);
      if (!plugins.has(category) || (services !== undefined && !services.includes(entry.service))) out.push(`${category} ${name} (service ${entry.service})`);
    }
  }
  return out;
}

void describe('forte init + push of real Gen 1 projects (built binary, local cloud)', { skip: shared.skip }, () => {
  let work: string;
  let home: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'forte-gen1-'));
    home = join(work, 'home');
  });
  after(() => removeProject({ work, home }));

  const copy = (project: string, as: string): string => {
    const root = join(work, as);
    cpSync(join(corpus, project, '_snapshot.pre.generate'), root, { recursive: true });
    return root;
  };

  // An app whose every resource is deployable is attached and pushed whole in a file of its own (cli-gen1-s3-*.test.ts,
  // cli-gen1-nosql.test.ts), so this file stays within the test timeout; the others are attached here.
  const withRefusals = projects.filter(
    (p) => expectedRefusals(readJson(join(corpus, p, '_snapshot.pre.generate/amplify/backend/backend-config.json'))).length > 0,
  );
  void it('every corpus app is attached and pushed somewhere: here when Forte refuses part of it, else in its own file', () => {
    const own = readdirSync(new URL('.', import.meta.url))
      .filter((f) => /^cli-gen1-(s3|nosql).*\.test\.js$/.test(f))
      .map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'))
      .join('\n');
    for (const project of projects.filter((p) => !withRefusals.includes(p))) assert.match(own, new RegExp(`'${project}'`), `${project} has no push test`);
  });
  // When Forte deploys every corpus app whole, the first is attached here with a resource of a category Forte lacks
  // added (a geo map), so that the attach and the refusal are still shown on a real project.
  const attached = withRefusals.length > 0 ? withRefusals : projects.slice(0, 1);
  for (const project of attached) {
    const added = withRefusals.includes(project) ? '' : ' (a geo map added)';
    void it(`${project}${added}: init attaches it as a new environment; push refuses the categories Forte lacks before anything is applied`, async () => {
      const root = copy(project, project);
      if (added) {
        const configFile = join(root, 'amplify/backend/backend-config.json');
        const config = readJson(configFile);
        config.geo = { storeMap: { service: 'Map', providerPlugin: 'awscloudformation', mapStyle: 'VectorEsriStreets' } };
        writeFileSync(configFile, JSON.stringify(config, null, 2));
      }
      const original = readJson(join(root, 'amplify/team-provider-info.json'));
      if (project === attached[0]) {
        // Before init, a command that needs the environment says how to attach the clone.
        const status = await runForte(['status'], { cwd: root, home });
        assert.equal(status.code, 1);
        assert.match(status.stderr, /local-env-info\.json is missing[\s\S]*In a fresh clone of the project, run `forte init`/);
      }
      const init = await runForte(['init', '--amplify', '{"envName":"main"}', '--yes'], { cwd: root, home });
      assert.equal(init.code, 0, `${init.stdout}\n${init.stderr}`);
      assert.doesNotMatch(init.stderr, /local-env-info\.json is missing/);
      assert.equal(readJson(join(root, 'amplify/.config/local-env-info.json')).envName, 'main');
      assert.equal(readJson(join(root, 'amplify/.config/local-aws-info.json')).main.profileName, 'default');
      const tpi = readJson(join(root, 'amplify/team-provider-info.json'));
      // Forte's own stack replaces the AWS one; the category parameters of "main" are kept as they were.
      assert.notEqual(tpi.main.awscloudformation.StackName, original.main.awscloudformation.StackName);
      assert.notEqual(tpi.main.awscloudformation.AmplifyAppId, original.main.awscloudformation.AmplifyAppId);
      assert.doesNotMatch(tpi.main.awscloudformation.StackId, /123456789012/);
      assert.deepEqual(tpi.main.categories, original.main.categories);
      const meta = readJson(join(root, 'amplify/backend/amplify-meta.json'));
      assert.equal(meta.providers.awscloudformation.AmplifyAppId, tpi.main.awscloudformation.AmplifyAppId);

      const refused = expectedRefusals(readJson(join(root, 'amplify/backend/backend-config.json')));
      const push = await runForte(['push', '--yes'], { cwd: root, home });
      assert.equal(push.code, 1, push.stdout);
      assert.match(push.stderr, /so nothing was pushed/);
      for (const what of refused) {
        const [category, name] = what.split(' ');
        assert.ok(push.stderr.includes(`${what}, declared in amplify/backend/backend-config.json at "${category}"."${name}"`), `${what}:\n${push.stderr}`);
      }
      // Every problem at once: one line per refused resource, each saying when it comes (or that it is not planned).
      assert.equal(push.stderr.match(/not supported yet/g)?.length, refused.length, push.stderr);
      // Nothing was deployed: no change set ran, no resource has outputs, no #current-cloud-backend.
      assert.doesNotMatch(push.stdout, /CREATE_IN_PROGRESS/);
      const current = join(root, 'amplify/#current-cloud-backend');
      assert.deepEqual(readdirSync(current), ['amplify-meta.json']);
      assert.deepEqual(Object.keys(readJson(join(current, 'amplify-meta.json'))), ['providers'], 'no resource is deployed');
      const status = await runForte(['status'], { cwd: root, home });
      assert.equal(status.code, 0, status.stderr);
      assert.doesNotMatch(status.stdout, /No Change/);
    });
  }

  void it('a service the category plugin does not deploy (a container api, service ElasticContainer) is refused with the others', async () => {
    const root = copy('project-boards', 'boards-rest');
    const configFile = join(root, 'amplify/backend/backend-config.json');
    const config = readJson(configFile);
    config.api.orders = { service: 'ElasticContainer', providerPlugin: 'awscloudformation', dependsOn: [] };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const init = await runForte(['init', '--amplify', '{"envName":"main"}', '--yes'], { cwd: root, home });
    assert.equal(init.code, 0, init.stderr);
    const push = await runForte(['push', '--yes'], { cwd: root, home });
    assert.equal(push.code, 1, push.stdout);
    assert.match(
      push.stderr,
      /api orders \(service ElasticContainer\), declared in amplify\/backend\/backend-config\.json at "api"\."orders": the api plugin deploys AppSync, API Gateway, not ElasticContainer; not supported yet\./,
    );
    assert.doesNotMatch(push.stderr, /storage s369f8ff1c/, 'its S3 bucket is deployable');
    assert.doesNotMatch(push.stderr, /api projectboards/, 'the AppSync api is deployable');
  });

  void it("interactive: Amplify's questions for an existing project (use an existing environment? which one? editor)", async () => {
    const root = copy('backend-only', 'backend-only-interactive');
    const original = readJson(join(root, 'amplify/team-provider-info.json'));
    const envs = Object.keys(original);
    const run = await runForteInTerminal(['init'], { cwd: root, home }, [
      [/Do you want to use an existing environment\?/, '\r'],
      [/Choose the environment you would like to use:/, '\r'],
      [/Choose your default editor:/, '\r'],
    ]);
    assert.equal(run.code, 0, run.screen);
    assert.match(run.screen, /environment main is created and checked out/);
    assert.deepEqual(envs, ['main']);
    assert.equal(readJson(join(root, 'amplify/.config/local-env-info.json')).envName, 'main');
    assert.equal(readJson(join(root, 'amplify/.config/local-env-info.json')).defaultEditor, 'vscode');
    const attached = readJson(join(root, 'amplify/team-provider-info.json')).main.awscloudformation;

    // A teammate's clone of the repository as it is now (Forte's ids in team-provider-info.json) joins that environment.
    const teammate = join(work, 'backend-only-teammate');
    cpSync(root, teammate, { recursive: true, filter: (path) => !path.includes('.config/local-') && !path.includes('amplify-meta.json') });
    const joined = await runForte(['init', '--amplify', '{"envName":"main"}', '--yes'], { cwd: teammate, home });
    assert.equal(joined.code, 0, joined.stderr);
    assert.deepEqual(readJson(join(teammate, 'amplify/team-provider-info.json')).main.awscloudformation, attached);

    // No: a new environment, whose parameters start from the repository's one.
    rmSync(join(root, 'amplify/.config/local-env-info.json'));
    const other = await runForteInTerminal(['init'], { cwd: root, home }, [
      [/Do you want to use an existing environment\?/, 'n\r'],
      [/Enter a name for the environment/, '\x7f\x7f\x7fstaging\r'],
      [/Choose your default editor:/, '\r'],
    ]);
    assert.equal(other.code, 0, other.screen);
    const tpi = readJson(join(root, 'amplify/team-provider-info.json'));
    assert.deepEqual(tpi.staging.categories, original.main.categories);
    assert.notEqual(tpi.staging.awscloudformation.StackName, tpi.main.awscloudformation.StackName);
    assert.equal(tpi.staging.awscloudformation.AmplifyAppId, attached.AmplifyAppId, 'a new environment of the same app');
  });

  void it("headless --categories: social sign-in secrets go to the deployment secrets outside the repository, Amplify's shape; bad input changes nothing", async () => {
    const root = copy('media-vault', 'vault-categories');
    const before = readFileSync(join(root, 'amplify/team-provider-info.json'), 'utf8');
    const bad = await runForte(['init', '--amplify', '{"envName":"main"}', '--categories', '{"storage":{"x":"y"}}', '--yes'], { cwd: root, home });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--categories gives values for storage/);
    assert.equal(existsSync(join(root, 'amplify/.config/local-env-info.json')), false);
    assert.equal(readFileSync(join(root, 'amplify/team-provider-info.json'), 'utf8'), before);

    const categories = {
      auth: {
        facebookAppIdUserPool: 'fb-id',
        facebookAppSecretUserPool: 'fb-very-secret',
        googleAppIdUserPool: 'google-id',
        googleAppSecretUserPool: 'google-very-secret',
        googleClientId: 'identity-pool-google-client',
      },
    };
    const init = await runForte(['init', '--amplify', '{"envName":"prod"}', '--categories', JSON.stringify(categories), '--yes'], { cwd: root, home });
    assert.equal(init.code, 0, init.stderr);
    const tpiText = readFileSync(join(root, 'amplify/team-provider-info.json'), 'utf8');
    assert.doesNotMatch(tpiText, /very-secret/);
    const tpi = JSON.parse(tpiText);
    // A new env name: its parameters start as a copy of the repository's env ("main"), plus the non-secret values given.
    assert.deepEqual(tpi.prod.categories.auth.mediavault1f08412d, {
      ...tpi.main.categories.auth.mediavault1f08412d,
      googleClientId: 'identity-pool-google-client',
    });
    assert.deepEqual(tpi.main, JSON.parse(before).main, 'the other environment is left as it was');
    const secretsFile = join(home, 'deployment-secrets.json');
    assert.equal(statSync(secretsFile).mode & 0o777, 0o600);
    const secrets = readJson(secretsFile);
    const stackId: string = tpi.prod.awscloudformation.StackId;
    const app = secrets.appSecrets.find((a: { rootStackId: string }) => a.rootStackId === stackId.slice(stackId.lastIndexOf('/') + 1));
    assert.deepEqual(JSON.parse(app.environments.prod.auth.mediavault1f08412d.hostedUIProviderCreds), [
      { ProviderName: 'Facebook', client_id: 'fb-id', client_secret: 'fb-very-secret' },
      { ProviderName: 'Google', client_id: 'google-id', client_secret: 'google-very-secret' },
    ]);
    assert.doesNotMatch(init.stdout + init.stderr, /very-secret/);
  });
});
