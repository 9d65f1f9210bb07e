import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';

const V1 =
  'type Blog @model { id: ID! posts: [Post] @connection(keyName: "byBlog", fields: ["id"]) }\ntype Post @model @key(name: "byBlog", fields: ["blogID"]) { id: ID! blogID: ID! }\n';
const PLAIN = 'type Note @model { id: ID! }\n';
const V2 = 'input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\ntype Note @model { id: ID! }\n';

void describe('the api category after forte init attached a project (PostInit): the Transformer v1 notice', () => {
  let root: string;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'forte-migrate-notice-'));
    const { ctx } = createFakePluginContext(root, { plugin: 'api', command: 'add', headless: true });
    await plugin.executeHeadlessCommand!(ctx, {
      version: 1,
      serviceConfiguration: { serviceName: 'AppSync', apiName: 'blog', transformSchema: V2, defaultAuthType: { mode: 'API_KEY' } },
    });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** What handlePostInit prints for this schema and cli.json (undefined: no cli.json). */
  const notice = async (schema: string, cliJson: unknown): Promise<string[]> => {
    writeFileSync(join(root, 'amplify/backend/api/blog/schema.graphql'), schema);
    if (cliJson === undefined) rmSync(join(root, 'amplify/cli.json'), { force: true });
    else writeFileSync(join(root, 'amplify/cli.json'), typeof cliJson === 'string' ? cliJson : JSON.stringify(cliJson));
    const { ctx, printed } = createFakePluginContext(root, { plugin: 'api' });
    await plugin.handlePostInit!(ctx);
    return printed;
  };
  const version = (v: number): unknown => ({ features: { graphqltransformer: { transformerversion: v } } });
  const SAID = 'The GraphQL API blog is written for GraphQL Transformer v1; Forte compiles v2 schemas: run `forte migrate api` before `forte push`';

  void it('names the API and the command when the schema uses v1 directives, or cli.json says v1 of a schema that could be either', async () => {
    for (const [schema, cli] of [
      [V1, version(1)],
      [V1, version(2)],
      [PLAIN, version(1)],
      [PLAIN, {}],
    ] as const) {
      const printed = await notice(schema, cli);
      assert.equal(printed.length, 1, `${schema} ${JSON.stringify(cli)}`);
      assert.ok(printed[0]!.startsWith(SAID), printed[0]);
    }
  });

  void it('says nothing for a v2 project, a schema plainly v2, without cli.json, or with one that is not JSON', async () => {
    for (const [schema, cli] of [
      [PLAIN, version(2)],
      [V2, version(1)],
      [PLAIN, undefined],
      [PLAIN, '{'],
    ] as const) {
      assert.deepEqual(await notice(schema, cli), [], `${schema} ${JSON.stringify(cli)}`);
    }
  });
});
