import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FORTE_BIN, type ForteRun, initProject, removeProject, runForte } from './forte-runner.js';

void describe('forte function: add --headless → build → remove refusal → push → invoke → logs (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });

  before(async () => {
    ({ work, home, root } = await initProject('forte-function-', 'fnapp'));
  });
  after(() => removeProject({ work, home }));

  void it('adds functions headlessly, builds them once per change, and refuses to remove one another depends on', async () => {
    const add = await forte(['add', 'function', '--headless'], JSON.stringify({ name: 'hello', environmentVariables: { GREETING: 'hi' } }));
    assert.equal(add.code, 0, add.stderr);
    const caller = await forte(['add', 'function', '--headless'], JSON.stringify({ name: 'caller', permissions: { function: { hello: ['read'] } } }));
    assert.equal(caller.code, 0, caller.stderr);
    const backend = JSON.parse(readFileSync(join(root, 'amplify/backend/backend-config.json'), 'utf8'));
    assert.deepEqual(backend.function.caller.dependsOn, [{ category: 'function', resourceName: 'hello', attributes: ['Name'] }]);

    const first = await forte(['function', 'build', 'hello']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /hello: dependencies installed, packaged as amplify-builds\/hello-[0-9a-f]{20}-build\.zip/);
    const again = await forte(['function', 'build', 'hello']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /hello: packaged as/, 'unchanged sources: no install');
    assert.equal(again.stdout.match(/amplify-builds\/\S+/)![0], first.stdout.match(/amplify-builds\/\S+/)![0], 'the same zip');

    const refused = await forte(['remove', 'function', 'hello', '--yes']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr + refused.stdout, /hello cannot be removed: function caller depends on it/);

    const badSince = await forte(['function', 'logs', 'hello', '--since', 'yesterday']);
    assert.equal(badSince.code, 1);
    assert.match(badSince.stderr + badSince.stdout, /--since yesterday is not a duration/);
    const removed = await forte(['remove', 'function', 'caller', '--yes']);
    assert.equal(removed.code, 0, removed.stderr);
  });

  void it('pushes a function, invokes it with an event file (forte mock function too) and reads its logs', async () => {
    writeFileSync(
      join(root, 'amplify/backend/function/hello/src/index.js'),
      "exports.handler = async (event) => { console.log('greeting', process.env.GREETING); return { greeting: process.env.GREETING, got: event }; };\n",
    );
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    writeFileSync(join(root, 'event.json'), JSON.stringify({ who: 'e2e' }));
    for (const command of [
      ['function', 'invoke', 'hello', '--event', 'event.json'],
      ['mock', 'function', 'hello', '--event', 'event.json'],
    ]) {
      const invoked = await forte(command);
      assert.equal(invoked.code, 0, invoked.stderr);
      assert.match(invoked.stdout, /\{"greeting":"hi","got":\{"who":"e2e"\}\}/);
      assert.match(invoked.stdout, /greeting hi/);
      // The CLI calls the cloud with AWS SDK clients: their notice about Node.js releases is not shown to users.
      assert.doesNotMatch(invoked.stderr, /NodeVersionSupportWarning/);
    }
    const logs = await forte(['function', 'logs', 'hello', '--since', '10m']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.doesNotMatch(logs.stderr, /NodeVersionSupportWarning/);
    assert.match(logs.stdout, /INIT_START Runtime Version: nodejs:\d+\.v\d+\tRuntime Version ARN: arn:aws:lambda:/);
    assert.match(logs.stdout, /START RequestId/);
    assert.match(logs.stdout, /greeting hi/);
  });

  void it('Ctrl-C while a function installs its dependencies stops the push saying nothing was deployed', async () => {
    const add = await forte(['add', 'function', '--headless'], JSON.stringify({ name: 'slowinstall' }));
    assert.equal(add.code, 0, add.stderr);
    const started = join(root, 'install-started');
    const pkgFile = join(root, 'amplify/backend/function/slowinstall/src/package.json');
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    // The install's own lifecycle script: it says when it runs, then takes long enough to be interrupted.
    pkg.scripts = { preinstall: `node -e "require('fs').writeFileSync('${started}', '1'); setTimeout(() => {}, 60000)"` };
    writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
    // A terminal of its own (script), where Ctrl-C signals the whole foreground group, as a user's does.
    const command = [process.execPath, FORTE_BIN, 'push', '--yes'].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: root,
      env: { ...process.env, FORTE_HOME: home, FORTE_CLOUD_PORT: '0', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    for (const deadline = Date.now() + 60_000; !existsSync(started); await new Promise((r) => setTimeout(r, 50)))
      if (Date.now() > deadline || child.exitCode !== null) assert.fail(`the install never started:\n${screen}`);
    child.stdin.write('\x03');
    assert.equal(await exited, 130, screen);
    assert.match(screen, /Push interrupted before anything was deployed; the environment is as it was\./);
    const status = await forte(['status']);
    assert.match(status.stdout, /slowinstall\s*│\s*Create/, status.stdout);
    const removed = await forte(['remove', 'function', 'slowinstall', '--yes']);
    assert.equal(removed.code, 0, removed.stderr);
  });

  void it("env add starts the new environment with the functions' variable values and carries their secrets over, so it pushes", async () => {
    const add = await forte(
      ['add', 'function', '--headless'],
      JSON.stringify({ name: 'secretive', environmentVariables: { GREETING: 'hey' }, secrets: { API_TOKEN: 'tok-123' } }),
    );
    assert.equal(add.code, 0, add.stderr);
    writeFileSync(
      join(root, 'amplify/backend/function/secretive/src/index.js'),
      `const { GetParameterCommand, SSMClient } = require('@aws-sdk/client-ssm');
exports.handler = async () => {
  const answer = await new SSMClient({}).send(new GetParameterCommand({ Name: process.env.API_TOKEN, WithDecryption: true }));
  return { env: process.env.ENV, greeting: process.env.GREETING, token: answer.Parameter.Value };
};
`,
    );
    const envAdd = await forte(['env', 'add', 'staging', '--yes']);
    assert.equal(envAdd.code, 0, envAdd.stderr + envAdd.stdout);
    assert.match(envAdd.stdout, /Carried 1 function secret over from dev\./);
    assert.ok(!(envAdd.stdout + envAdd.stderr).includes('tok-123'), 'the value is never printed');
    const tpi = JSON.parse(readFileSync(join(root, 'amplify/team-provider-info.json'), 'utf8'));
    assert.deepEqual(tpi.staging.categories.function.secretive, tpi.dev.categories.function.secretive);
    assert.equal(tpi.staging.categories.function.secretive.greeting, 'hey');

    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const invoked = await forte(['function', 'invoke', 'secretive']);
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.match(invoked.stdout, /\{"env":"staging","greeting":"hey","token":"tok-123"\}/);
  });
});
