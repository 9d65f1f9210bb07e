import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, print } from 'graphql';
import type { ObjectTypeDefinitionNode } from 'graphql';
import { transform } from './index.js';
import type { AppSyncAuthConfiguration } from './index.js';
import { plural } from './naming.js';

const apiKey: AppSyncAuthConfiguration = { defaultAuthentication: { authenticationType: 'API_KEY' } };
const pools: AppSyncAuthConfiguration = {
  defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
  additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }],
};

const typeOf = (sdl: string, name: string): string => {
  const def = parse(sdl).definitions.find((d) => 'name' in d && d.name?.value === name);
  assert.ok(def, `${name} in the output`);
  return print(def);
};

describe('transform', () => {
  it('pluralises generated names like the pluralize package', () => {
    const cases: [string, string][] = [
      ['Todo', 'Todos'],
      ['Inventory', 'Inventories'],
      ['Address', 'Addresses'],
      ['Match', 'Matches'],
      ['EventRSVP', 'EventRSVPS'],
      ['GERENTE', 'GERENTES'],
      ['Users', 'Users'],
      ['Person', 'People'],
      ['Status', 'Statuses'],
      ['Equipment', 'Equipment'],
      ['Leaf', 'Leaves'],
      ['Child', 'Children'],
    ];
    for (const [word, expected] of cases) assert.equal(plural(word), expected, word);
  });

  it('adds totalCount to the connections only when asked', () => {
    const schema = 'type Note @model { id: ID! text: String }';
    assert.doesNotMatch(typeOf(transform({ schema, authConfig: apiKey }).schema, 'ModelNoteConnection'), /totalCount/);
    assert.equal(
      typeOf(transform({ schema, authConfig: apiKey, options: { totalCounts: true } }).schema, 'ModelNoteConnection'),
      'type ModelNoteConnection {\n  items: [Note]!\n  nextToken: String\n  totalCount: Int\n}',
    );
  });

  it('turns sandbox mode on only for an AMPLIFY input that is not commented out', () => {
    const body = 'type Note @model { id: ID! }';
    const open = transform({ schema: `input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\n${body}`, authConfig: pools });
    assert.match(typeOf(open.schema, 'Note'), /^type Note @aws_api_key/);
    assert.equal(open.plan.models[0]!.sandbox, true);
    assert.doesNotMatch(open.schema, /AMPLIFY/);
    const closed = transform({ schema: `# input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\n${body}`, authConfig: pools });
    assert.match(typeOf(closed.schema, 'Note'), /^type Note \{/);
    assert.equal(closed.plan.models[0]!.sandbox, false);
  });

  it('names the auth modes on types and operations reachable by a non-default mode', () => {
    const { schema } = transform({
      schema: 'type Todo @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) { id: ID! name: String }',
      authConfig: pools,
    });
    assert.match(typeOf(schema, 'Todo'), /^type Todo @aws_api_key @aws_cognito_user_pools \{/);
    const mutation = typeOf(schema, 'Mutation');
    assert.doesNotMatch(mutation, /@aws_/);
    const query = parse(schema).definitions.find((d) => 'name' in d && d.name?.value === 'Query') as ObjectTypeDefinitionNode;
    assert.deepEqual(
      query.fields?.map((f) => `${f.name.value} ${f.directives?.map((d) => d.name.value).join(' ')}`),
      ['getTodo aws_api_key aws_cognito_user_pools', 'listTodos aws_api_key aws_cognito_user_pools'],
    );
    assert.match(
      typeOf(schema, 'Subscription'),
      /onCreateTodo\(filter: ModelSubscriptionTodoFilterInput, owner: String\): Todo @aws_subscribe\(mutations: \["createTodo"\]\) @aws_api_key @aws_cognito_user_pools/,
    );
  });

  it('shortens subscription names longer than 50 characters with a hash, as AppSync requires', () => {
    const { schema } = transform({ schema: 'type UserQuestStageTaskRequirementSubmissionPicture @model { id: ID! }', authConfig: apiKey });
    assert.match(typeOf(schema, 'Subscription'), /onCreateUserQuestStageTaskRequirementSubmissi1d59c\(/);
  });

  it('keeps the schema’s own types and AppSync directives, and drops the transformer directives', () => {
    const { schema } = transform({
      schema: 'type Note @model { id: ID! } type Query { ping: String @aws_api_key @function(name: "ping") } enum Mood { HAPPY }',
      authConfig: apiKey,
    });
    assert.match(typeOf(schema, 'Query'), /ping: String @aws_api_key\n/);
    assert.equal(typeOf(schema, 'Mood'), 'enum Mood {\n  HAPPY\n}');
    assert.doesNotMatch(schema, /@model|@function/);
  });
});
