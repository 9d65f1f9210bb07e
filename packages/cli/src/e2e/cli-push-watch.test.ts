import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FORTE_BIN, type ForteRun, initProject, removeProject, runForte } from './forte-runner.js';

const PUBLIC = 'input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\n';
const TODO = 'type Todo @model {\n  id: ID!\n  name: String!\n}\n';
const TODO_WITH_DONE = 'type Todo @model {\n  id: ID!\n  name: String!\n  done: Boolean\n}\n';
const NOTE = 'type Note @model {\n  id: ID!\n  content: String!\n}\n';
const handler = (answer: string): string => `exports.handler = async () => ({ answer: '${answer}' });\n`;

/** A long-running forte command whose output is read as it comes. */
interface Watching {
  child: ChildProcess;
  /** stdout and stderr, interleaved as they arrived. */
  output: () => string;
  /** Waits until the output after `from` matches, failing with the whole output after `timeoutMs`. */
  waitFor: (pattern: RegExp, from: number, timeoutMs?: number) => Promise<string>;
  exited: Promise<number | null>;
}

function startForte(args: string[], cwd: string, home: string): Watching {
  const child = spawn(process.execPath, [FORTE_BIN, ...args], {
    cwd,
    env: { ...process.env, FORTE_HOME: home, FORTE_CLOUD_PORT: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const waitFor = async (pattern: RegExp, from: number, timeoutMs = 60_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const after = output.slice(from);
      if (pattern.test(after)) return after;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in the output:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, output: () => output, waitFor, exited };
}

void describe('forte push --watch and forte mock: each saved change deploys only its resource (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  let watch: Watching | undefined;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const backend = (...path: string[]): string => join(root, 'amplify', 'backend', ...path);
  const graphql = async (query: string): Promise<{ data?: Record<string, any>; errors?: { message: string }[] }> => {
    const meta = JSON.parse(readFileSync(backend('amplify-meta.json'), 'utf8')) as {
      api: { shop: { output: { GraphQLAPIEndpointOutput: string; GraphQLAPIKeyOutput: string } } };
    };
    const { GraphQLAPIEndpointOutput, GraphQLAPIKeyOutput } = meta.api.shop.output;
    const response = await fetch(GraphQLAPIEndpointOutput, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': GraphQLAPIKeyOutput },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: Record<string, any>; errors?: { message: string }[] };
  };

  before(async () => {
    ({ work, home, root } = await initProject('forte-watch-', 'watchapp'));
    const api = await forte(
      ['add', 'api', '--headless'],
      JSON.stringify({
        version: 1,
        serviceConfiguration: {
          serviceName: 'AppSync',
          apiName: 'shop',
          transformSchema: PUBLIC + TODO + NOTE,
          defaultAuthType: { mode: 'API_KEY', expirationTime: 7 },
        },
      }),
    );
    assert.equal(api.code, 0, api.stderr + api.stdout);
    const fn = await forte(['add', 'function', '--headless'], JSON.stringify({ name: 'hello' }));
    assert.equal(fn.code, 0, fn.stderr + fn.stdout);
    // The machine's own Node (20) runs the function, so the test never downloads a Node release.
    const template = backend('function', 'hello', 'hello-cloudformation-template.json');
    writeFileSync(template, readFileSync(template, 'utf8').replace(/nodejs\d+\.x/g, `nodejs${process.versions.node.split('.')[0]}.x`));
    writeFileSync(backend('function', 'hello', 'src', 'index.js'), handler('first'));
  });

  after(async () => {
    if (watch && watch.child.exitCode === null) watch.child.kill('SIGKILL');
    await removeProject({ work, home });
  });

  void it('lists --watch in the help of push', async () => {
    const help = await forte(['push', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /--watch\s+push what is pending, then deploy each saved change/);
  });

  void it('pushes what is pending, then redeploys a saved function, then only the API, refuses a data loss, and ends on Ctrl-C', async () => {
    watch = startForte(['push', '--watch'], root, home);
    await watch.waitFor(/✔ Deployed (api shop, function hello|function hello, api shop) in \d+\.\d+s/, 0, 90_000);
    assert.equal((await forte(['function', 'invoke', 'hello'])).stdout.match(/"answer":"(\w+)"/)?.[1], 'first');

    let from = watch.output().length;
    writeFileSync(backend('function', 'hello', 'src', 'index.js'), handler('second'));
    await watch.waitFor(/✔ Deployed function hello in \d+\.\d+s/, from);
    const invoked = await forte(['function', 'invoke', 'hello']);
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.match(invoked.stdout, /\{"answer":"second"\}/, 'the next invocation runs the new code');
    // Amplify's name for the same command reaches the function plugin.
    assert.match((await forte(['mock', 'function', 'hello'])).stdout, /\{"answer":"second"\}/);

    from = watch.output().length;
    writeFileSync(backend('api', 'shop', 'schema.graphql'), PUBLIC + TODO_WITH_DONE + NOTE);
    const apiDeploy = await watch.waitFor(/✔ Deployed api shop in \d+\.\d+s/, from);
    assert.doesNotMatch(apiDeploy, /function hello/, 'the function is not pushed again');
    const todo = await graphql('mutation { createTodo(input: { name: "watch", done: true }) { done } }');
    assert.equal(todo.errors, undefined, JSON.stringify(todo.errors));

    assert.equal((await graphql('mutation { createNote(input: { content: "kept" }) { id } }')).errors, undefined);
    from = watch.output().length;
    writeFileSync(backend('api', 'shop', 'schema.graphql'), PUBLIC + TODO_WITH_DONE);
    const refused = await watch.waitFor(/To apply it: forte push api shop --allow-data-loss/, from);
    assert.match(refused, /Skipped api shop: This push would delete stored data: \S*NoteTable \(Forte::DynamoDB::Table\) holds 1 item/);
    const notes = await graphql('query { listNotes { items { content } } }');
    assert.deepEqual(notes.data?.['listNotes']?.items, [{ content: 'kept' }], 'the model and its item are still there');

    from = watch.output().length;
    writeFileSync(backend('function', 'hello', 'src', 'index.js'), handler('third'));
    await watch.waitFor(/✔ Deployed function hello in/, from);
    assert.match((await forte(['function', 'invoke', 'hello'])).stdout, /\{"answer":"third"\}/, 'a refused change does not stop the watch');

    watch.child.kill('SIGINT');
    assert.equal(await watch.exited, 0, watch.output());
    assert.match(watch.output(), /Stopped watching\./);
  });

  void it('forte mock says it is the local cloud and runs the same loop; mock storage says the local cloud serves storage', async () => {
    const storage = await forte(['mock', 'storage']);
    assert.equal(storage.code, 1);
    assert.match(storage.stderr + storage.stdout, /Forte needs no storage mock: the local cloud serves buckets and tables as pushed/);

    const mock = startForte(['mock', 'api'], root, home);
    watch = mock;
    await mock.waitFor(/Forte's mock is the real local cloud \(http:\/\/127\.0\.0\.1:\d+\)/, 0);
    // The data loss still pending is still refused, and the loop goes on watching.
    await mock.waitFor(/Skipped api shop: .*NoteTable/, 0, 90_000);
    // A broken save is one error line, and the watch goes on.
    const config = readFileSync(backend('backend-config.json'), 'utf8');
    let from = mock.output().length;
    writeFileSync(backend('backend-config.json'), config.slice(0, 20));
    await mock.waitFor(/✖ Deploying the backend failed after \d+\.\d+s: .*backend-config\.json/, from);
    from = mock.output().length;
    writeFileSync(backend('backend-config.json'), config);
    await mock.waitFor(/Skipped api shop: .*NoteTable/, from);
    from = mock.output().length;
    writeFileSync(backend('function', 'hello', 'src', 'index.js'), handler('fourth'));
    await mock.waitFor(/✔ Deployed function hello in/, from);
    assert.match((await forte(['function', 'invoke', 'hello'])).stdout, /\{"answer":"fourth"\}/);
    mock.child.kill('SIGINT');
    assert.equal(await mock.exited, 0, mock.output());
  });
});
