import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { graphQLApiPlanSchema } from '@forte/protocol';
import type { GraphQLApiPlan, GraphQLPlanModel, GraphQLPlanTable } from '@forte/protocol';
import { transform } from './index.js';
import type { AppSyncAuthConfiguration, TransformInput } from './index.js';

const apiKey: AppSyncAuthConfiguration = { defaultAuthentication: { authenticationType: 'API_KEY' } };
const poolsAndKey: AppSyncAuthConfiguration = {
  defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS', userPoolConfig: { userPoolId: 'pool' } },
  additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }],
};
const everyMode: AppSyncAuthConfiguration = {
  defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
  additionalAuthenticationProviders: [
    { authenticationType: 'API_KEY' },
    { authenticationType: 'AWS_IAM' },
    { authenticationType: 'OPENID_CONNECT', openIDConnectConfig: { name: 'oidc', issuerUrl: 'https://issuer.test', clientId: 'c' } },
    { authenticationType: 'AWS_LAMBDA', lambdaAuthorizerConfig: { lambdaFunction: 'authFn' } },
  ],
};

const planOf = (input: TransformInput): GraphQLApiPlan => {
  const { plan } = transform(input);
  // The plan is plain JSON and valid against the protocol's contract.
  assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan);
  graphQLApiPlanSchema.parse(plan);
  return plan;
};
const model = (plan: GraphQLApiPlan, name: string): GraphQLPlanModel => {
  const m = plan.models.find((x) => x.name === name);
  assert.ok(m, `model ${name} in the plan`);
  return m;
};
const tableOf = (plan: GraphQLApiPlan, modelName: string): GraphQLPlanTable => {
  const t = plan.tables.find((x) => x.modelName === modelName);
  assert.ok(t, `table of ${modelName} in the plan`);
  return t.properties;
};
const ALL_OPS = ['create', 'update', 'delete', 'get', 'list', 'sync', 'listen', 'search'];
const READ_OPS = ['get', 'list', 'sync', 'listen', 'search'];

describe('the resolver plan', () => {
  it('todo: owner and public read rules, operation names, the table', () => {
    const plan = planOf({
      schema:
        'type Task @model @auth(rules: [{ allow: owner }, { allow: public, provider: apiKey, operations: [read] }]) { id: ID! title: String! done: Boolean }',
      authConfig: poolsAndKey,
    });
    assert.deepEqual(plan.authModes, { default: 'userPools', additional: ['apiKey'] });
    assert.equal(plan.conflictResolution, false);
    const task = model(plan, 'Task');
    assert.equal(task.pluralName, 'Tasks');
    assert.deepEqual(task.primaryKey, { partitionField: 'id', sortKeyFields: [] });
    assert.deepEqual(
      task.fields.map((f) => [f.name, f.type, f.isRequired, f.kind]),
      [
        ['id', 'ID', true, 'scalar'],
        ['title', 'String', true, 'scalar'],
        ['done', 'Boolean', false, 'scalar'],
        ['createdAt', 'AWSDateTime', true, 'scalar'],
        ['updatedAt', 'AWSDateTime', true, 'scalar'],
        ['owner', 'String', false, 'scalar'],
      ],
    );
    assert.deepEqual(task.authRules, [
      { strategy: 'owner', provider: 'userPools', operations: ALL_OPS, ownerField: 'owner', identityClaim: 'sub::username' },
      { strategy: 'public', provider: 'apiKey', operations: READ_OPS },
    ]);
    assert.deepEqual(task.operations, {
      get: 'getTask',
      list: 'listTasks',
      create: 'createTask',
      update: 'updateTask',
      delete: 'deleteTask',
      onCreate: ['onCreateTask'],
      onUpdate: ['onUpdateTask'],
      onDelete: ['onDeleteTask'],
      subscriptionLevel: 'on',
      subscriptionArguments: ['owner'],
    });
    assert.deepEqual(task.timestamps, { createdAt: 'createdAt', updatedAt: 'updatedAt' });
    assert.equal(task.sandbox, false);
    assert.deepEqual(tableOf(plan, 'Task'), {
      TableName: 'Task',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('blog: implicit hasMany and belongsTo share the generated key and its index', () => {
    const plan = planOf({
      schema: `
        type Forum @model @auth(rules: [{ allow: public }]) { id: ID! name: String! threads: [Thread] @hasMany }
        type Thread @model @auth(rules: [{ allow: public }]) { id: ID! title: String! forum: Forum @belongsTo replies: [Reply] @hasMany }
        type Reply @model @auth(rules: [{ allow: public }]) { id: ID! thread: Thread @belongsTo body: String }`,
      authConfig: apiKey,
    });
    assert.deepEqual(model(plan, 'Forum').relations, [
      {
        field: 'threads',
        kind: 'hasMany',
        relatedModel: 'Thread',
        sourceFields: ['id'],
        targetFields: ['forumThreadsId'],
        indexName: 'gsi-Forum.threads',
        limit: 100,
      },
    ]);
    assert.deepEqual(model(plan, 'Thread').relations, [
      {
        field: 'replies',
        kind: 'hasMany',
        relatedModel: 'Reply',
        sourceFields: ['id'],
        targetFields: ['threadRepliesId'],
        indexName: 'gsi-Thread.replies',
        limit: 100,
      },
      { field: 'forum', kind: 'belongsTo', relatedModel: 'Forum', sourceFields: ['forumThreadsId'], targetFields: ['id'] },
    ]);
    const thread = model(plan, 'Thread');
    assert.deepEqual(
      thread.fields.find((f) => f.name === 'forum'),
      { name: 'forum', type: 'Forum', isList: false, isRequired: false, kind: 'model' },
    );
    assert.deepEqual(
      thread.fields.find((f) => f.name === 'replies'),
      { name: 'replies', type: 'Reply', isList: true, isRequired: false, isListItemRequired: false, kind: 'model' },
    );
    assert.ok(thread.fields.some((f) => f.name === 'forumThreadsId' && f.type === 'ID'));
    assert.deepEqual(thread.indexes, [{ name: 'gsi-Forum.threads', partitionField: 'forumThreadsId', sortKeyFields: [] }]);
    assert.deepEqual(tableOf(plan, 'Thread').GlobalSecondaryIndexes, [
      { IndexName: 'gsi-Forum.threads', KeySchema: [{ AttributeName: 'forumThreadsId', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
    ]);
    assert.deepEqual(tableOf(plan, 'Thread').AttributeDefinitions, [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'forumThreadsId', AttributeType: 'S' },
    ]);
  });

  it('indexed: custom primary key, named and automatic indexes, composite sort keys', () => {
    const plan = planOf({
      schema: `
        type Shipment @model @auth(rules: [{ allow: public }]) {
          warehouseId: ID! @primaryKey(sortKeyFields: ["shippedAt"])
          shippedAt: AWSDateTime!
          state: ShipmentState! @index(name: "byState", sortKeyFields: ["shippedAt"], queryField: "shipmentsByState")
          carrier: String @index
          lane: String @index(name: "byLane", sortKeyFields: ["weight", "shippedAt"])
          weight: Int
        }
        enum ShipmentState { PACKED SENT }`,
      authConfig: apiKey,
    });
    const s = model(plan, 'Shipment');
    assert.deepEqual(s.primaryKey, { partitionField: 'warehouseId', sortKeyFields: ['shippedAt'] });
    assert.deepEqual(s.indexes, [
      { name: 'byState', partitionField: 'state', sortKeyFields: ['shippedAt'], queryField: 'shipmentsByState' },
      { name: 'shipmentsByCarrier', partitionField: 'carrier', sortKeyFields: [], queryField: 'shipmentsByCarrier' },
      {
        name: 'byLane',
        partitionField: 'lane',
        sortKeyFields: ['weight', 'shippedAt'],
        compositeSortKeyAttribute: 'weight#shippedAt',
        queryField: 'shipmentsByLaneAndWeightAndShippedAt',
      },
    ]);
    assert.equal(
      s.fields.some((f) => f.name === 'id'),
      false,
      'no id: the primary key replaces it',
    );
    assert.deepEqual(
      s.fields.find((f) => f.name === 'state'),
      { name: 'state', type: 'ShipmentState', isList: false, isRequired: true, kind: 'enum' },
    );
    const table = tableOf(plan, 'Shipment');
    assert.deepEqual(table.KeySchema, [
      { AttributeName: 'warehouseId', KeyType: 'HASH' },
      { AttributeName: 'shippedAt', KeyType: 'RANGE' },
    ]);
    assert.deepEqual(table.AttributeDefinitions, [
      { AttributeName: 'warehouseId', AttributeType: 'S' },
      { AttributeName: 'shippedAt', AttributeType: 'S' },
      { AttributeName: 'state', AttributeType: 'S' },
      { AttributeName: 'carrier', AttributeType: 'S' },
      { AttributeName: 'lane', AttributeType: 'S' },
      { AttributeName: 'weight#shippedAt', AttributeType: 'S' },
    ]);
    assert.deepEqual(
      table.GlobalSecondaryIndexes!.map((g) => [g.IndexName, g.KeySchema.map((k) => `${k.AttributeName}:${k.KeyType}`)]),
      [
        ['byState', ['state:HASH', 'shippedAt:RANGE']],
        ['shipmentsByCarrier', ['carrier:HASH']],
        ['byLane', ['lane:HASH', 'weight#shippedAt:RANGE']],
      ],
    );
    const n = planOf({ schema: 'type Score @model { level: Int! @primaryKey(sortKeyFields: ["player"]) player: String! }', authConfig: apiKey });
    assert.deepEqual(tableOf(n, 'Score').AttributeDefinitions, [
      { AttributeName: 'level', AttributeType: 'N' },
      { AttributeName: 'player', AttributeType: 'S' },
    ]);
  });

  it('auth rules: every strategy and provider, field rules, custom claims', () => {
    const plan = planOf({
      schema: `
        type Doc @model @auth(rules: [
          { allow: owner, ownerField: "authors", operations: [update, read] },
          { allow: groups, groups: ["Admin", "Editors"] },
          { allow: groups, groupsField: "readers", operations: [read] },
          { allow: private, provider: iam, operations: [read] },
          { allow: public, provider: identityPool, operations: [read] },
          { allow: private, provider: oidc, operations: [read] },
          { allow: custom }
        ]) {
          id: ID!
          authors: [String]
          readers: [String]
          notes: String @auth(rules: [{ allow: groups, groups: ["Admin"] }])
        }
        type Card @model @auth(rules: [{ allow: owner, ownerField: "holder", identityClaim: "sub" }]) { id: ID! holder: String }`,
      authConfig: everyMode,
    });
    const doc = model(plan, 'Doc');
    assert.deepEqual(doc.authRules, [
      { strategy: 'owner', provider: 'userPools', operations: ['update', ...READ_OPS], ownerField: 'authors', identityClaim: 'sub::username' },
      { strategy: 'groups', provider: 'userPools', operations: ALL_OPS, groupClaim: 'cognito:groups', groups: ['Admin', 'Editors'] },
      { strategy: 'groups', provider: 'userPools', operations: READ_OPS, groupClaim: 'cognito:groups', groupsField: 'readers' },
      { strategy: 'private', provider: 'iam', operations: READ_OPS },
      { strategy: 'public', provider: 'iam', operations: READ_OPS },
      { strategy: 'private', provider: 'oidc', operations: READ_OPS },
      { strategy: 'custom', provider: 'function', operations: ALL_OPS },
    ]);
    assert.deepEqual(doc.fieldAuthRules, {
      notes: [{ strategy: 'groups', provider: 'userPools', operations: ALL_OPS, groupClaim: 'cognito:groups', groups: ['Admin'] }],
    });
    // A list owner field is not a subscription argument (AppSync cannot match a list).
    assert.deepEqual(doc.operations.subscriptionArguments, []);
    const card = model(plan, 'Card');
    assert.deepEqual(card.authRules, [{ strategy: 'owner', provider: 'userPools', operations: ALL_OPS, ownerField: 'holder', identityClaim: 'sub' }]);
    assert.deepEqual(card.operations.subscriptionArguments, ['holder']);
    assert.deepEqual(plan.authModes, { default: 'userPools', additional: ['apiKey', 'iam', 'oidc', 'function'] });
  });

  it('sandbox mode, conflict resolution, @default, @function, @http and renamed operations', () => {
    const plan = planOf({
      schema: `
        input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }
        type Item @model(queries: { get: "fetchItem" }, subscriptions: null, timestamps: { createdAt: "addedOn", updatedAt: null }) {
          id: ID!
          qty: Int @default(value: "1")
        }
        type Query {
          echo(msg: String): String @function(name: "echo-\${env}") @function(name: "audit")
          weather(city: String): String @http(url: "https://weather.test/:city")
        }`,
      authConfig: apiKey,
      resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'OPTIMISTIC_CONCURRENCY' } },
    });
    const item = model(plan, 'Item');
    assert.equal(item.sandbox, true);
    assert.deepEqual(item.authRules, []);
    assert.deepEqual(item.defaults, { qty: '1' });
    assert.deepEqual(item.timestamps, { createdAt: 'addedOn', updatedAt: null });
    assert.deepEqual(item.operations, {
      get: 'fetchItem',
      create: 'createItem',
      update: 'updateItem',
      delete: 'deleteItem',
      subscriptionLevel: 'off',
      subscriptionArguments: [],
    });
    assert.deepEqual(item.versioned, { conflictHandler: 'OPTIMISTIC_CONCURRENCY' });
    assert.equal(plan.conflictResolution, true);
    assert.deepEqual(tableOf(plan, 'Item').TimeToLiveSpecification, { AttributeName: '_ttl', Enabled: true });
    assert.deepEqual(plan.externalFields, [
      {
        typeName: 'Query',
        fieldName: 'echo',
        kind: 'function',
        functions: ['echo-${env}', 'audit'],
        functionCalls: [
          { name: 'echo-${env}', invocationType: 'RequestResponse' },
          { name: 'audit', invocationType: 'RequestResponse' },
        ],
      },
      { typeName: 'Query', fieldName: 'weather', kind: 'http', http: { method: 'GET', url: 'https://weather.test/:city' } },
    ]);
  });

  it("@function: region, account, Event invocations answering EventInvocationResponse, and the field's static @auth rules", () => {
    const { plan, schema } = transform({
      schema: `
        type Post @model @auth(rules: [{ allow: owner }]) { id: ID! summary: String @function(name: "summarize-\${env}") }
        type Query {
          quote: String @function(name: "quote-\${env}", region: "us-east-1", accountId: "123456789012") @auth(rules: [{ allow: private }, { allow: groups, groups: ["Admin"] }, { allow: owner }])
        }
        type Mutation { notify(to: String!): EventInvocationResponse @function(name: "notify", invocationType: Event) }`,
      authConfig: poolsAndKey,
    });
    graphQLApiPlanSchema.parse(plan);
    assert.deepEqual(plan.externalFields, [
      {
        typeName: 'Post',
        fieldName: 'summary',
        kind: 'function',
        functions: ['summarize-${env}'],
        functionCalls: [{ name: 'summarize-${env}', invocationType: 'RequestResponse' }],
      },
      {
        typeName: 'Query',
        fieldName: 'quote',
        kind: 'function',
        functions: ['quote-${env}'],
        functionCalls: [{ name: 'quote-${env}', region: 'us-east-1', accountId: '123456789012', invocationType: 'RequestResponse' }],
        // The owner rule cannot decide on a field without an item: only the static rules remain.
        authRules: [
          { strategy: 'private', provider: 'userPools', operations: ['get', 'list', 'sync', 'listen', 'search'] },
          {
            strategy: 'groups',
            provider: 'userPools',
            operations: ['get', 'list', 'sync', 'listen', 'search'],
            groups: ['Admin'],
            groupClaim: 'cognito:groups',
          },
        ],
      },
      { typeName: 'Mutation', fieldName: 'notify', kind: 'function', functions: ['notify'], functionCalls: [{ name: 'notify', invocationType: 'Event' }] },
    ]);
    // The transformer defines the Event answer's type when the schema does not.
    assert.match(schema, /type EventInvocationResponse[^{]*\{[^}]*success: Boolean!/);
    assert.throws(
      () => transform({ schema: 'type Query { ping: String @function(name: "ping", invocationType: Event) }', authConfig: apiKey }),
      /Return type must be 'EventInvocationResponse'/,
    );
  });

  it('many-to-many: a join model with two belongsTo relations and their indexes', () => {
    const plan = planOf({
      schema: `
        type Post @model { id: ID! tags: [Tag] @manyToMany(relationName: "PostTags") }
        type Tag @model { id: ID! posts: [Post] @manyToMany(relationName: "PostTags") }`,
      authConfig: apiKey,
    });
    const join = model(plan, 'PostTags');
    assert.deepEqual(join.relations, [
      { field: 'post', kind: 'belongsTo', relatedModel: 'Post', sourceFields: ['postId'], targetFields: ['id'], manyToMany: { relationName: 'PostTags' } },
      { field: 'tag', kind: 'belongsTo', relatedModel: 'Tag', sourceFields: ['tagId'], targetFields: ['id'], manyToMany: { relationName: 'PostTags' } },
    ]);
    assert.deepEqual(
      join.indexes.map((i) => [i.name, i.partitionField, i.queryField]),
      [
        ['byPost', 'postId', 'postTagsByPostId'],
        ['byTag', 'tagId', 'postTagsByTagId'],
      ],
    );
    assert.deepEqual(model(plan, 'Post').relations, [
      { field: 'tags', kind: 'hasMany', relatedModel: 'PostTags', sourceFields: ['id'], targetFields: ['postId'], indexName: 'byPost', limit: 100 },
    ]);
  });
});
