import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { transformerV1Notice } from './attach-project.js';

void describe('transformerV1Notice: forte init of a project whose cli.json says GraphQL Transformer v1', () => {
  const withCliJson = (cliJson: unknown, backendConfig: Record<string, Record<string, unknown>>): string | undefined => {
    const dir = mkdtempSync(join(tmpdir(), 'forte-v1-notice-'));
    try {
      if (cliJson !== undefined) writeFileSync(join(dir, 'cli.json'), typeof cliJson === 'string' ? cliJson : JSON.stringify(cliJson));
      return transformerV1Notice(dir, backendConfig);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const graphql = { api: { blog: { service: 'AppSync' }, items: { service: 'API Gateway' } } };
  const v = (version: number): unknown => ({ features: { graphqltransformer: { transformerversion: version } } });

  void it('names the GraphQL APIs and the command to run first', () => {
    assert.equal(
      withCliJson(v(1), graphql),
      'amplify/cli.json says the GraphQL API blog is written for GraphQL Transformer v1; Forte compiles v2 schemas: run `forte migrate api` before `forte push` (it rewrites the schema as `amplify migrate api` does, and keeps the original).',
    );
  });

  void it('says nothing for v2, without a GraphQL API, without cli.json or with one that is not JSON', () => {
    assert.equal(withCliJson(v(2), graphql), undefined);
    assert.equal(withCliJson(v(1), { api: { items: { service: 'API Gateway' } } }), undefined);
    assert.equal(withCliJson(undefined, graphql), undefined);
    assert.equal(withCliJson('{', graphql), undefined);
  });
});
