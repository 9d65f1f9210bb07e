import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ForteRun, initProject, removeProject, runForte, runForteInTerminal } from './forte-runner.js';

const PUBLIC = 'input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\n';
const TODO = 'type Todo @model {\n  id: ID!\n  name: String!\n}\n';
const NOTE = 'type Note @model {\n  id: ID!\n  content: String!\n}\n';
const NOTES = ['first', 'second', 'third'];

void describe('forte push never deletes stored data without an explicit yes, and the cloud keeps a copy (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const schemaFile = (): string => join(root, 'amplify', 'backend', 'api', 'shop', 'schema.graphql');
  const output = (): { GraphQLAPIEndpointOutput: string; GraphQLAPIKeyOutput: string } =>
    (
      JSON.parse(readFileSync(join(root, 'amplify', 'backend', 'amplify-meta.json'), 'utf8')) as {
        api: { shop: { output: { GraphQLAPIEndpointOutput: string; GraphQLAPIKeyOutput: string } } };
      }
    ).api.shop.output;
  const graphql = async (query: string): Promise<{ data?: Record<string, any>; errors?: { message: string }[] }> => {
    const { GraphQLAPIEndpointOutput, GraphQLAPIKeyOutput } = output();
    const response = await fetch(GraphQLAPIEndpointOutput, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': GraphQLAPIKeyOutput },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: Record<string, any>; errors?: { message: string }[] };
  };
  const noteContents = async (): Promise<string[]> => {
    const result = await graphql('query { listNotes(limit: 100) { items { content } } }');
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return (result.data!['listNotes'].items as { content: string }[]).map((n) => n.content).sort();
  };

  before(async () => {
    ({ work, home, root } = await initProject('forte-destroy-', 'destroyapp'));
    const add = await forte(
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
    assert.equal(add.code, 0, add.stderr + add.stdout);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    for (const content of NOTES) {
      const created = await graphql(`mutation { createNote(input: { content: "${content}" }) { id } }`);
      assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    }
    assert.equal((await graphql('mutation { createTodo(input: { name: "stays" }) { id } }')).errors, undefined);
  });

  after(async () => {
    await removeProject({ work, home });
  });

  void it('push --yes refuses to remove a model holding rows, naming the table, its item count and the flags; nothing is deleted', async () => {
    writeFileSync(schemaFile(), PUBLIC + TODO);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 1, push.stdout);
    const said = push.stdout + push.stderr;
    assert.match(said, /NoteTable \(Forte::DynamoDB::Table\) holds 3 items/);
    assert.doesNotMatch(said, /TodoTable \(Forte::DynamoDB::Table\) holds/);
    assert.match(said, /--allow-destructive-graphql-schema-updates or --allow-data-loss/);
    assert.match(said, /--yes alone does not approve losing data/);
    assert.deepEqual(await noteContents(), [...NOTES].sort(), 'the model and its rows are still there');
  });

  void it('in a terminal the question states the count and Enter answers No', async () => {
    const push = await runForteInTerminal(['push'], { cwd: root, home }, [[/Delete .*NoteTable.*holds 3 items\?/, '\r']]);
    assert.equal(push.code, 0, push.screen);
    assert.match(push.screen, /This push deletes stored data:/);
    assert.match(push.screen, /\(y\/N\)/);
    assert.match(push.screen, /Push cancelled; nothing was deployed/);
    assert.deepEqual(await noteContents(), [...NOTES].sort());
  });

  void it('--allow-destructive-graphql-schema-updates deletes it; restore-deleted waits for the model to be back, then brings the rows back', async () => {
    const push = await forte(['push', '--yes', '--allow-destructive-graphql-schema-updates']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /DELETE_COMPLETE\s+Forte::DynamoDB::Table\s+\S*NoteTable/);
    const gone = await graphql('query { listNotes { items { id } } }');
    assert.match(JSON.stringify(gone.errors), /listNotes/, 'the model is gone from the API');

    const early = await forte(['env', 'restore-deleted', '--yes']);
    assert.equal(early.code, 1, early.stdout);
    assert.match(early.stdout, /NoteTable\s*│ Forte::DynamoDB::Table\s*│ 3 items/);
    assert.match(early.stdout + early.stderr, /NoteTable is not deployed in environment dev now.*Add it back and push first/);

    writeFileSync(schemaFile(), PUBLIC + TODO + NOTE);
    const back = await forte(['push', '--yes']);
    assert.equal(back.code, 0, back.stderr + back.stdout);
    assert.deepEqual(await noteContents(), [], 'a new, empty table');

    const restore = await forte(['env', 'restore-deleted', '--yes']);
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    assert.match(restore.stdout, /NoteTable: 3 items restored/);
    assert.deepEqual(await noteContents(), [...NOTES].sort(), 'the rows are back, served by the new table');

    const none = await forte(['env', 'restore-deleted', '--yes']);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /No deleted data is kept for environment dev/);
  });
});
