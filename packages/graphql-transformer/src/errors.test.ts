import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSchemaError, SchemaError, transform } from './index.js';
import type { AppSyncAuthConfiguration, TransformParameters } from './index.js';

const apiKey: AppSyncAuthConfiguration = { defaultAuthentication: { authenticationType: 'API_KEY' }, additionalAuthenticationProviders: [] };

const refuses = (
  schema: string,
  expected: { message: RegExp; typeName?: string; fieldName?: string; directive?: string },
  parameters?: Partial<TransformParameters>,
) => {
  assert.throws(
    () => transform({ schema, authConfig: apiKey, ...(parameters ? { parameters } : {}) }),
    (e: unknown) => {
      assert.ok(isSchemaError(e), `expected a SchemaError, got ${String(e)}`);
      assert.match(e.message, expected.message);
      assert.equal(e.typeName, expected.typeName);
      assert.equal(e.fieldName, expected.fieldName);
      assert.equal(e.directive, expected.directive);
      return true;
    },
  );
};

describe('schema errors name the type, field and directive', () => {
  it('@primaryKey on a field of a type without @model', () => {
    refuses('type Note { id: ID! @primaryKey }', {
      message: /@primaryKey directive may only be added to object definitions annotated with @model/,
      typeName: 'Note',
      fieldName: 'id',
      directive: 'primaryKey',
    });
  });

  it('@hasMany to an unknown type', () => {
    refuses('type Blog @model { id: ID! posts: [Post] @hasMany }', { message: /^Blog\.posts: unknown type "Post"$/, typeName: 'Blog', fieldName: 'posts' });
  });

  it('@hasMany to a type that is not a model', () => {
    refuses('type Blog @model { id: ID! posts: [Post] @hasMany } type Post { id: ID! }', {
      message: /'Post', which is not an @model type/,
      typeName: 'Blog',
      fieldName: 'posts',
      directive: 'hasMany',
    });
  });

  it('@hasMany on a field that is not a list', () => {
    refuses('type Blog @model { id: ID! post: Post @hasMany } type Post @model { id: ID! }', {
      message: /must be a list/,
      typeName: 'Blog',
      fieldName: 'post',
      directive: 'hasMany',
    });
  });

  it('@hasMany naming an index the related model lacks', () => {
    refuses('type Blog @model { id: ID! posts: [Post] @hasMany(indexName: "byBlog", fields: ["id"]) } type Post @model { id: ID! blogId: ID }', {
      message: /index 'byBlog' does not exist on Post/,
      typeName: 'Blog',
      fieldName: 'posts',
      directive: 'hasMany',
    });
  });

  it('@index without a name when automatic index query names are off', () => {
    refuses(
      'type Order @model { id: ID! sku: String @index }',
      { message: /has no name/, typeName: 'Order', fieldName: 'sku', directive: 'index' },
      { enableAutoIndexQueryNames: false },
    );
  });

  it('two indexes with the same name', () => {
    refuses('type Order @model { id: ID! a: String @index(name: "byX") b: String @index(name: "byX") }', {
      message: /only supply one @index named 'byX'/,
      typeName: 'Order',
      fieldName: 'b',
      directive: 'index',
    });
  });

  it('an unknown directive argument', () => {
    refuses('type Order @model { id: ID! sku: String @index(name: "bySku", sortKey: "id") }', {
      message: /^Order\.sku: unknown argument "sortKey" on directive "@index"$/,
      typeName: 'Order',
      fieldName: 'sku',
      directive: 'index',
    });
  });

  it('an unknown directive', () => {
    refuses('type Order @model @cached { id: ID! }', { message: /^Order: unknown directive "@cached"$/, typeName: 'Order', directive: 'cached' });
  });

  it('a sort key field that does not exist', () => {
    refuses('type Order @model { customerId: ID! @primaryKey(sortKeyFields: ["placedAt"]) }', {
      message: /Can't find field 'placedAt' in Order, but it was specified in the primary key/,
      typeName: 'Order',
      fieldName: 'customerId',
      directive: 'primaryKey',
    });
    refuses('type Order @model { id: ID! status: String @index(name: "byStatus", sortKeyFields: ["placedAt"]) }', {
      message: /Can't find field 'placedAt' in Order, but it was specified in index 'byStatus'/,
      typeName: 'Order',
      fieldName: 'status',
      directive: 'index',
    });
  });

  it('a nullable primary key', () => {
    refuses('type Order @model { customerId: ID @primaryKey }', {
      message: /must reference non-null fields/,
      typeName: 'Order',
      fieldName: 'customerId',
      directive: 'primaryKey',
    });
  });

  it('an @auth provider the API does not have', () => {
    refuses('type Todo @model @auth(rules: [{ allow: owner }]) { id: ID! }', {
      message: /'userPools' provider found, but the project has no Cognito User Pools authentication provider configured/,
      typeName: 'Todo',
      directive: 'auth',
    });
  });

  it('an @auth provider that the strategy does not support', () => {
    refuses('type Todo @model @auth(rules: [{ allow: public, provider: userPools }]) { id: ID! }', {
      message: /'public' strategy only supports 'apiKey', 'iam' providers, but found 'userPools'/,
      typeName: 'Todo',
      directive: 'auth',
    });
  });

  it('@auth on a type without @model', () => {
    refuses('type Todo @auth(rules: [{ allow: public }]) { id: ID! }', { message: /must also be annotated with @model/, typeName: 'Todo', directive: 'auth' });
  });

  it('@belongsTo fields that do not match the related primary key', () => {
    refuses('type Post @model { id: ID! a: ID b: ID blog: Blog @belongsTo(fields: ["a", "b"]) } type Blog @model { id: ID! }', {
      message: /Provided fields do not match the size of primary key\(s\) for Blog/,
      typeName: 'Post',
      fieldName: 'blog',
      directive: 'belongsTo',
    });
  });

  it('a @manyToMany with only one side', () => {
    refuses('type Post @model { id: ID! tags: [Tag] @manyToMany(relationName: "PostTags") } type Tag @model { id: ID! }', {
      message: /must be used in exactly two places/,
      typeName: 'Post',
      fieldName: 'tags',
      directive: 'manyToMany',
    });
  });

  it('a @default value of the wrong type', () => {
    refuses('type Todo @model { id: ID! count: Int @default(value: "many") }', {
      message: /not a valid Int/,
      typeName: 'Todo',
      fieldName: 'count',
      directive: 'default',
    });
  });

  it('@model on a root type', () => {
    refuses('type Query @model { id: ID! }', { message: /'Query' is a reserved type name/, typeName: 'Query', directive: 'model' });
  });

  it('a required field that field-level rules hide from some readers', () => {
    refuses(
      'type Post @model @auth(rules: [{ allow: public }]) { id: ID! title: String! secret: String! @auth(rules: [{ allow: public, operations: [create, update] }]) }',
      {
        message: /Found model "Post" with required fields \["secret"\] missing field-level authorization rules/,
        typeName: 'Post',
        fieldName: 'secret',
        directive: 'auth',
      },
    );
  });

  it('a schema that is not GraphQL', () => {
    assert.throws(
      () => transform({ schema: 'type {', authConfig: apiKey }),
      (e: unknown) => isSchemaError(e) && /not valid GraphQL/.test(e.message),
    );
  });
});

/** The problems of a refused schema, each as `line:column message`. */
const problems = (schema: string): string[] => {
  try {
    transform({ schema, authConfig: apiKey });
  } catch (e) {
    assert.ok(isSchemaError(e), `expected a SchemaError, got ${String(e)}`);
    return e.errors.map((x) => `${x.line ?? '?'}:${x.column ?? '?'} ${x.message}`);
  }
  assert.fail('the schema was accepted');
};

describe('what the cloud would refuse is refused at compile time, where the user wrote it', () => {
  it('an unknown type, once, named after the field (not the generated inputs)', () => {
    assert.deepEqual(problems('type Post @model {\n  id: ID!\n  title: Strin!\n}'), ['3:10 Post.title: unknown type "Strin" (did you mean "String"?)']);
  });

  it('every unknown type', () => {
    assert.deepEqual(problems('type Post @model { id: ID! a: Strin\n b: [Comment] }'), [
      '1:31 Post.a: unknown type "Strin" (did you mean "String"?)',
      '2:6 Post.b: unknown type "Comment"',
    ]);
  });

  it('a directive repeated where it is not repeatable', () => {
    assert.deepEqual(problems('type Post @model @model { id: ID! }'), ['1:18 Post: the directive "@model" can only be used once at this location']);
    assert.deepEqual(problems('type Post @model @auth(rules: [{ allow: public }])\n  @auth(rules: [{ allow: private }]) { id: ID! }'), [
      '2:3 Post: the directive "@auth" can only be used once at this location',
    ]);
  });

  it('repeatable directives may repeat', () => {
    assert.doesNotThrow(() =>
      transform({
        schema: 'type Order @model { id: ID! sku: String @index(name: "bySku") @index(name: "bySku2", sortKeyFields: ["id"]) }',
        authConfig: apiKey,
      }),
    );
  });

  it('an unknown argument of a directive, with a suggestion', () => {
    assert.deepEqual(problems('type Post @model(query: null) { id: ID! }'), [
      '1:18 Post: unknown argument "query" on directive "@model" (did you mean "queries"?)',
    ]);
  });

  it('a required argument of a directive that is missing', () => {
    assert.deepEqual(problems('type Post @model { id: ID! tags: [Tag] @manyToMany } type Tag @model { id: ID! }'), [
      '1:40 Post.tags: directive "@manyToMany" argument "relationName" of type "String!" is required, but it was not provided',
    ]);
  });

  it('a directive where it may not be used', () => {
    assert.deepEqual(problems('type Post @model { id: ID!\n  title: String @model }'), [
      '2:17 Post.title: directive "@model" may not be used on FIELD_DEFINITION',
    ]);
  });

  it('a field defined twice', () => {
    assert.deepEqual(problems('type Post @model {\n  id: ID!\n  id: String\n}'), ['3:3 Post.id: field "Post.id" can only be defined once']);
  });

  it('an input type as the type of a field', () => {
    assert.deepEqual(problems('input Meta { a: Int }\ntype Post @model { id: ID! meta: Meta }'), [
      '2:34 Post.meta: the type of Post.meta must be Output Type but got: Meta',
    ]);
  });

  it('a syntax error', () => {
    assert.deepEqual(problems('type Post @model {\n  id: ID!\n  title String\n}'), [
      '3:9 The schema is not valid GraphQL: Syntax Error: Expected ":", found Name "String".',
    ]);
  });

  it('errors of the transform modules carry the line of the field they name', () => {
    assert.deepEqual(problems('type Order @model {\n  id: ID!\n  customerId: ID @primaryKey\n}'), [
      "3:18 The primary key on type 'Order' must reference non-null fields: make 'customerId' non-null (ID!).",
    ]);
  });
});

void describe('isSchemaError', () => {
  it('recognises a SchemaError of another copy of this package by its brand', () => {
    const BRAND: unique symbol = Symbol.for('forte.error');
    class CopiedSchemaError extends Error {
      readonly [BRAND] = 'schema';
      readonly errors: readonly Error[] = [this];
    }
    assert.ok(isSchemaError(new CopiedSchemaError('Post: unknown directive')));
    assert.ok(isSchemaError(new SchemaError('Post: unknown directive')));
    assert.equal(isSchemaError(new Error('Post: unknown directive')), false);
  });
});
