import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { transform } from './index.js';
import type { AppSyncAuthConfiguration } from './index.js';
import { sharedReference } from '@forte/protocol/shared-reference';

const shared = sharedReference('the model introspection reference', ['reference/graphql-golden']);
const poolsAndKey: AppSyncAuthConfiguration = {
  defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
  additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }],
};

describe('model introspection (amplify_outputs.json data.model_introspection)', () => {
  if (shared.dir === undefined) {
    it('equals the reference', { skip: shared.skip }, () => {});
    return;
  }
  const ref = join(shared.dir, 'reference/graphql-golden');

  it('equals what Amplify codegen writes for the reference schema', () => {
    const { modelIntrospection } = transform({ schema: readFileSync(join(ref, 'model-introspection.example.input.graphql'), 'utf8'), authConfig: poolsAndKey });
    assert.deepStrictEqual(modelIntrospection, JSON.parse(readFileSync(join(ref, 'model-introspection.example.json'), 'utf8')));
  });
});

describe('model introspection of Gen 1 relations and keys', () => {
  it('lists generated foreign keys, custom keys, non-model types and enums', () => {
    const { modelIntrospection } = transform({
      schema: `
        type Blog @model { slug: String! @primaryKey(sortKeyFields: ["lang"]) lang: String! posts: [Post] @hasMany }
        type Post @model { id: ID! blog: Blog @belongsTo meta: Meta }
        type Meta { tags: [String!]! }
        enum Lang { en fr }`,
      authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
    });
    const blog = modelIntrospection.models.Blog!;
    assert.deepEqual(blog.primaryKeyInfo, { isCustomPrimaryKey: true, primaryKeyFieldName: 'slug', sortKeyFieldNames: ['lang'] });
    assert.equal(blog.fields.id, undefined);
    assert.deepEqual(blog.attributes[1], { type: 'key', properties: { fields: ['slug', 'lang'] } });
    assert.deepEqual(blog.fields.posts!.association, { connectionType: 'HAS_MANY', associatedWith: ['blogPostsSlug', 'blogPostsLang'] });
    const post = modelIntrospection.models.Post!;
    assert.deepEqual(post.fields.blog!.association, { connectionType: 'BELONGS_TO', targetNames: ['blogPostsSlug', 'blogPostsLang'] });
    assert.deepEqual(post.fields.blogPostsSlug, { name: 'blogPostsSlug', isArray: false, type: 'String', isRequired: false, attributes: [] });
    assert.deepEqual(post.fields.meta!.type, { nonModel: 'Meta' });
    assert.deepEqual(modelIntrospection.nonModels.Meta, {
      name: 'Meta',
      fields: { tags: { name: 'tags', isArray: true, type: 'String', isRequired: true, attributes: [], isArrayNullable: false } },
    });
    assert.deepEqual(modelIntrospection.enums.Lang, { name: 'Lang', values: ['en', 'fr'] });
  });
});
