import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, print } from 'graphql';
import { migrateV1Schemas, usesV1Directives, v1MigrationBlockers, writtenForV2, type V1DefaultAuthType } from './migrate-v1.js';
import { transform } from './transform.js';

const migrate = (schema: string, auth: V1DefaultAuthType = 'API_KEY'): string => migrateV1Schemas([{ file: 'schema.graphql', schema }], auth).files[0]!.schema;
const same = (actual: string, expected: string): void => assert.equal(print(parse(actual)), print(parse(expected)));

const LIBRARY_V1 = `
type Library @model {
  id: ID!
  name: String!
  shelves: [Shelf] @connection(keyName: "byLibrary", fields: ["id"])
}
type Shelf @model @key(name: "byLibrary", fields: ["libraryID", "label"], queryField: "shelvesByLibrary") {
  id: ID!
  label: String!
  libraryID: ID!
  library: Library @connection(fields: ["libraryID"])
  keeper: Keeper @connection(fields: ["keeperID"])
  keeperID: ID
}
type Keeper @model @key(fields: ["email"]) {
  email: String!
}
type Loan @model @key(fields: ["shelfID", "due"]) {
  shelfID: ID!
  due: AWSDate!
}
`;

void describe('migrateV1Schemas: GraphQL Transformer v1 schemas rewritten for v2, as amplify migrate api does', () => {
  void it('@key becomes @primaryKey / @index on its first field, @connection becomes @hasMany / @belongsTo / @hasOne', () => {
    same(
      migrate(LIBRARY_V1),
      `
type Library @model @auth(rules: [{allow: public}]) {
  id: ID!
  name: String!
  shelves: [Shelf] @hasMany(indexName: "byLibrary", fields: ["id"])
}
type Shelf @model @auth(rules: [{allow: public}]) {
  id: ID!
  label: String!
  libraryID: ID! @index(name: "byLibrary", queryField: "shelvesByLibrary", sortKeyFields: ["label"])
  library: Library @belongsTo(fields: ["libraryID"])
  keeper: Keeper @hasOne(fields: ["keeperID"])
  keeperID: ID
}
type Keeper @model @auth(rules: [{allow: public}]) {
  email: String! @primaryKey
}
type Loan @model @auth(rules: [{allow: public}]) {
  shelfID: ID! @primaryKey(sortKeyFields: ["due"])
  due: AWSDate!
}`,
    );
  });

  void it('the migrated schema compiles with the v2 transformer, with the same index and query names', () => {
    const result = transform({
      schema: migrate(LIBRARY_V1),
      authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' }, additionalAuthenticationProviders: [] },
    });
    assert.match(result.schema, /shelvesByLibrary\(libraryID: ID!, label: ModelStringKeyConditionInput/);
    assert.match(result.schema, /getLoan\(shelfID: ID!, due: AWSDate!\): Loan/);
    const shelf = result.plan.tables.find((t) => t.modelName === 'Shelf')!.properties as { GlobalSecondaryIndexes?: { IndexName: string }[] };
    assert.deepEqual(
      shelf.GlobalSecondaryIndexes?.map((i) => i.IndexName),
      ['byLibrary'],
    );
  });

  void it('a single connection is @belongsTo only when the other side points back with a list, and its key field is indexed', () => {
    const schema = `
type Pet @model { id: ID! ownerID: ID! owner: Person @connection(fields: ["ownerID"]) }
type Person @model { id: ID! pets: [Pet] @connection(fields: ["id"]) }`;
    // ownerID is not indexed: v1 read it as a one-to-one lookup.
    assert.match(migrate(schema), /owner: Person @hasOne\(fields: \["ownerID"\]\)/);
    assert.match(
      migrate(schema.replace('@model { id: ID! ownerID', '@model @key(name: "byOwner", fields: ["ownerID"]) { id: ID! ownerID')),
      /owner: Person @belongsTo/,
    );
  });

  void it('a model without @auth gets the rule that gives the default mode what v1 gave it; IAM is left as Amplify leaves it', () => {
    const schema = 'type Note @model { id: ID! }';
    assert.match(migrate(schema, 'API_KEY'), /@auth\(rules: \[\{allow: public\}\]\)/);
    assert.match(migrate(schema, 'AMAZON_COGNITO_USER_POOLS'), /@auth\(rules: \[\{allow: private\}\]\)/);
    assert.match(migrate(schema, 'OPENID_CONNECT'), /@auth\(rules: \[\{allow: private, provider: oidc\}\]\)/);
    assert.doesNotMatch(migrate(schema, 'AWS_IAM'), /@auth/);
    // A type that is not a model gets no rule.
    assert.doesNotMatch(migrate('type Point { x: Int }', 'API_KEY'), /@auth/);
  });

  void it('owner and group rules: the operations v1 left open stay open, to the default mode', () => {
    const owner = 'type Diary @model @auth(rules: [{allow: owner, operations: [update, delete]}]) { id: ID! }';
    // One rule: the owner keeps every operation; create and read, which v1 did not protect, stay open.
    assert.match(migrate(owner, 'AMAZON_COGNITO_USER_POOLS'), /@auth\(rules: \[\{allow: owner\}, \{allow: private, operations: \[create, read\]\}\]\)/);
    assert.match(migrate(owner, 'AWS_IAM'), /\{allow: owner\}, \{allow: private, provider: iam, operations: \[create, read\]\}/);
    // Under an API key (where Amplify's migrator writes a private rule v2 refuses), the open operations are public.
    assert.match(migrate(owner, 'API_KEY'), /\{allow: owner\}, \{allow: public, operations: \[create, read\]\}/);
    // A rule without operations protected everything: nothing is opened.
    assert.match(
      migrate('type Diary @model @auth(rules: [{allow: owner}]) { id: ID! }', 'AMAZON_COGNITO_USER_POOLS'),
      /@auth\(rules: \[\{allow: owner\}\]\) \{/,
    );
    // Two protecting rules keep their operations.
    const two = 'type Doc @model @auth(rules: [{allow: owner, operations: [delete]}, {allow: groups, groups: ["Editors"], operations: [update]}]) { id: ID! }';
    assert.match(
      migrate(two, 'AMAZON_COGNITO_USER_POOLS'),
      /\[\{allow: owner, operations: \[delete\]\}, \{allow: groups, groups: \["Editors"\], operations: \[update\]\}, \{allow: private, operations: \[create, read\]\}\]/,
    );
    // A private rule of the default mode already there: nothing added.
    const withPrivate = 'type Doc @model @auth(rules: [{allow: owner, operations: [delete]}, {allow: private, operations: [read]}]) { id: ID! }';
    assert.match(migrate(withPrivate, 'AMAZON_COGNITO_USER_POOLS'), /\[\{allow: owner\}, \{allow: private, operations: \[read\]\}\]\)/);
  });

  void it('@versioned is removed and reported; custom root types and comments are reported', () => {
    const result = migrateV1Schemas(
      [
        {
          file: 'schema.graphql',
          schema: '# notes\ntype Post @model @versioned { id: ID! version: Int! }\ntype Query { hello: String @function(name: "hello-${env}") }',
        },
      ],
      'API_KEY',
    );
    assert.doesNotMatch(result.files[0]!.schema, /@versioned/);
    assert.deepEqual(result.versionedModels, ['Post']);
    assert.deepEqual(result.customRootTypes, ['Query']);
    assert.equal(result.droppedComments, true);
    assert.match(result.files[0]!.schema, /hello: String @function\(name: "hello-\$\{env\}"\)/);
  });

  void it('relations are resolved across the files of schema/', () => {
    const files = [
      { file: 'schema/a.graphql', schema: 'type Author @model { id: ID! books: [Book] @connection(keyName: "byAuthor", fields: ["id"]) }' },
      {
        file: 'schema/b.graphql',
        schema: 'type Book @model @key(name: "byAuthor", fields: ["authorID"]) { id: ID! authorID: ID! author: Author @connection(fields: ["authorID"]) }',
      },
    ];
    const [a, b] = migrateV1Schemas(files, 'API_KEY').files;
    assert.match(a!.schema, /books: \[Book\] @hasMany\(indexName: "byAuthor", fields: \["id"\]\)/);
    assert.match(b!.schema, /authorID: ID! @index\(name: "byAuthor"\)/);
    assert.match(b!.schema, /author: Author @belongsTo\(fields: \["authorID"\]\)/);
  });

  void it('usesV1Directives and the blockers Amplify cannot migrate automatically', () => {
    assert.equal(usesV1Directives([{ file: 's', schema: LIBRARY_V1 }]), true);
    assert.equal(usesV1Directives([{ file: 's', schema: migrate(LIBRARY_V1) }]), false);
    // What a v1 schema cannot be: v2's directives or its global auth rule; a schema of plain models could be either.
    assert.equal(writtenForV2([{ file: 's', schema: migrate(LIBRARY_V1) }]), true);
    assert.equal(writtenForV2([{ file: 's', schema: 'input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\ntype A @model { id: ID! }' }]), true);
    assert.equal(writtenForV2([{ file: 's', schema: 'type A @model { id: ID! }' }]), false);
    assert.equal(writtenForV2([{ file: 's', schema: LIBRARY_V1 }]), false);
    const blockers = v1MigrationBlockers([
      {
        file: 'schema.graphql',
        schema: 'type A @model { id: ID! b: B @connection(name: "AB") }\ntype B @model @auth(rules: [{allow: owner, queries: [get]}]) { id: ID! }',
      },
    ]);
    assert.equal(blockers.length, 2, blockers.join('\n'));
    assert.match(blockers[0]!, /^schema\.graphql:1:30 A\.b: @connection\(name\) is the oldest form of @connection/);
    assert.match(blockers[1]!, /^schema\.graphql:2:15 B: an @auth rule lists queries or mutations/);
    assert.deepEqual(v1MigrationBlockers([{ file: 's', schema: LIBRARY_V1 }]), []);
  });

  void it('a @key naming a field its type does not have is refused, naming it', () => {
    assert.throws(
      () => migrate('type A @model @key(fields: ["nope"]) { id: ID! }'),
      /schema\.graphql:1:15 A: @key names the field "nope", which A does not have/,
    );
  });
});
