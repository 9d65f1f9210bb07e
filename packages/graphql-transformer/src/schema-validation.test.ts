import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSchemaError, transform } from './index.js';
import type { AppSyncAuthConfiguration } from './index.js';
import { validateOutputSchema } from './schema-validation.js';

const apiKey: AppSyncAuthConfiguration = { defaultAuthentication: { authenticationType: 'API_KEY' }, additionalAuthenticationProviders: [] };

describe('schema validation', () => {
  it('the output is built as the cloud builds it: what AppSync would refuse is a SchemaError', () => {
    assert.throws(
      () => validateOutputSchema('type Query { post: Post }\ntype Post { title: Strin }'),
      (e: unknown) => isSchemaError(e) && e.message === 'The output schema would not deploy: Unknown type "Strin". Did you mean "String"?',
    );
    assert.throws(
      () => validateOutputSchema('type Query { a: Int }\nscalar AWSDateTime'),
      (e: unknown) => isSchemaError(e) && e.message === 'The output schema would not deploy: There can be only one type named "AWSDateTime".',
    );
    assert.doesNotThrow(() => validateOutputSchema('type Query { at: AWSDateTime @aws_api_key }'));
  });

  it('what the user defines takes the place of the prelude: AppSync scalars and directives declared again are accepted', () => {
    const result = transform({
      schema: 'scalar AWSDateTime\ndirective @aws_api_key on FIELD_DEFINITION | OBJECT\ntype Post @model { id: ID! at: AWSDateTime }',
      authConfig: apiKey,
    });
    assert.doesNotMatch(result.schema, /scalar AWSDateTime/);
  });

  it('an interface the type does not implement', () => {
    assert.throws(
      () => transform({ schema: 'interface Node { id: ID! name: String! }\ntype Post implements Node @model { id: ID! }', authConfig: apiKey }),
      (e: unknown) =>
        isSchemaError(e) && e.message === 'Post: interface field Node.name expected but Post does not provide it' && e.line === 2 && e.column === 1,
    );
  });
});
