import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Template } from '@forte/protocol';
import type { ResourceHandler } from '../../kernel/types.js';
import type { DeployedRecord } from './control-store.js';
import { evaluate, TemplateError, type EvaluationContext } from './evaluate-intrinsics.js';
import { planChanges } from './plan-changes.js';
import { buildStackGraph, type StackGraph } from './stack-graph.js';

const identity = { stackName: 'amplify-app-dev-12345', appId: 'dabc', appSlug: 'app', envName: 'dev', region: 'us-east-1', accountId: '123456789012' };
const noop: ResourceHandler = {
  create: () => Promise.reject(new Error('unused')),
  update: () => Promise.reject(new Error('unused')),
  delete: () => Promise.reject(new Error('unused')),
};
const handlers: Record<string, ResourceHandler> = {
  'Forte::T::Thing': noop,
  'Forte::T::Other': noop,
  'Forte::T::Named': { ...noop, replaceOn: ['Name'] },
  'Forte::T::Keyed': { ...noop, migrateOn: { Key: 'items move to the new key' } },
  'Forte::T::Fn': noop,
  'Forte::T::Schema': { ...noop, appliedAfter: ['Forte::T::Fn'] },
};
const handlerFor = (type: string): ResourceHandler | undefined => handlers[type];

function graphOf(
  template: Template,
  options: { nested?: Record<string, Template>; parameters?: Record<string, unknown>; files?: Record<string, string> } = {},
): StackGraph {
  return buildStackGraph({
    template,
    nestedTemplates: options.nested ?? {},
    nestedTemplateFiles: options.files ?? {},
    parameters: options.parameters ?? {},
    identity,
    isKnownType: (t) => t in handlers,
    appliedAfter: (t) => handlers[t]?.appliedAfter ?? [],
  });
}

function record(
  logicalId: string,
  resourceType: string,
  props: Record<string, unknown>,
  attributes: Record<string, unknown> = {},
  templateProps = props,
): DeployedRecord {
  return { logicalId, resourceType, physicalId: `phys-${logicalId}`, templateProperties: templateProps, resolvedProperties: props, attributes, dependsOn: [] };
}

function planOf(template: Template, deployed: DeployedRecord[], options: Parameters<typeof graphOf>[1] = {}) {
  return planChanges({ graph: graphOf(template, options), deployed, handlerFor });
}

function ctxWith(values: Record<string, { physicalId: string; attributes: Record<string, unknown> }>): EvaluationContext {
  return {
    pseudo: { 'AWS::Region': 'us-east-1', 'Forte::AppSlug': 'app' },
    rootStackName: identity.stackName,
    resource: (id, attribute) => {
      const r = values[id];
      if (!r) throw new Error(`no ${id}`);
      return attribute === undefined ? r.physicalId : r.attributes[attribute];
    },
  };
}

void describe('planChanges', () => {
  void it('adds new resources, removes missing ones and leaves unchanged ones out', () => {
    const template: Template = {
      Resources: { Keep: { Type: 'Forte::T::Thing', Properties: { Value: 1 } }, Fresh: { Type: 'Forte::T::Thing', Properties: { Value: 2 } } },
    };
    const changes = planOf(template, [record('Keep', 'Forte::T::Thing', { Value: 1 }), record('Gone', 'Forte::T::Thing', { Value: 3 })]);
    assert.deepEqual(changes, [
      { logicalId: 'Fresh', resourceType: 'Forte::T::Thing', action: 'Add', reasons: ['new resource'], replacement: false },
      { logicalId: 'Gone', resourceType: 'Forte::T::Thing', action: 'Remove', reasons: ['not in the template'], replacement: false },
    ]);
  });

  void it('modifies a resource whose properties changed and names them', () => {
    const template: Template = { Resources: { A: { Type: 'Forte::T::Thing', Properties: { Value: 2, Other: 'x' } } } };
    const changes = planOf(template, [record('A', 'Forte::T::Thing', { Value: 1, Other: 'x', Dropped: true })]);
    assert.deepEqual(changes, [
      {
        logicalId: 'A',
        resourceType: 'Forte::T::Thing',
        action: 'Modify',
        reasons: ['Properties.Value changed', 'Properties.Dropped changed'],
        replacement: false,
      },
    ]);
  });

  void it('sees a parameter value change through Ref even when the template text is the same', () => {
    const template: Template = {
      Parameters: { env: { Type: 'String' } },
      Resources: { A: { Type: 'Forte::T::Thing', Properties: { Value: { 'Fn::Sub': 'name-${env}' } } } },
    };
    const deployed = [record('A', 'Forte::T::Thing', { Value: 'name-dev' }, {}, { Value: { 'Fn::Sub': 'name-${env}' } })];
    assert.deepEqual(planOf(template, deployed, { parameters: { env: 'dev' } }), []);
    assert.deepEqual(
      planOf(template, deployed, { parameters: { env: 'prod' } }).map((c) => [c.action, c.reasons]),
      [['Modify', ['Properties.Value changed']]],
    );
  });

  void it('replaces on a type change and on a replaceOn property, and modifies dependents of a replaced resource', () => {
    const template: Template = {
      Resources: {
        Named: { Type: 'Forte::T::Named', Properties: { Name: 'new-name' } },
        User: { Type: 'Forte::T::Thing', Properties: { Target: { 'Fn::GetAtt': ['Named', 'Arn'] } } },
        Retyped: { Type: 'Forte::T::Other', Properties: {} },
      },
    };
    const changes = planOf(template, [
      record('Named', 'Forte::T::Named', { Name: 'old-name' }, { Arn: 'arn:old' }),
      record('User', 'Forte::T::Thing', { Target: 'arn:old' }, {}, { Target: { 'Fn::GetAtt': ['Named', 'Arn'] } }),
      record('Retyped', 'Forte::T::Thing', {}),
    ]);
    const byId = Object.fromEntries(changes.map((c) => [c.logicalId, [c.action, c.reasons, c.replacement]]));
    assert.deepEqual(byId['Named'], ['Replace', ['Properties.Name changed (requires replacement)'], true]);
    assert.deepEqual(byId['User'], ['Modify', ['depends on Named, which is replaced'], false]);
    assert.deepEqual(byId['Retyped'], ['Replace', ['Type changed from Forte::T::Thing to Forte::T::Other'], true]);
  });

  void it('modifies in place, saying what happens, on a migrateOn property, and names the migration as data', () => {
    const template: Template = { Resources: { Table: { Type: 'Forte::T::Keyed', Properties: { Key: 'slug', Other: 2 } } } };
    const changes = planOf(template, [record('Table', 'Forte::T::Keyed', { Key: 'id', Other: 1 })]);
    assert.deepEqual(
      changes.map((c) => [c.action, c.reasons, c.replacement, c.migrations]),
      [
        [
          'Modify',
          ['Properties.Key changed (migrated: items move to the new key)', 'Properties.Other changed'],
          false,
          [{ property: 'Key', description: 'items move to the new key' }],
        ],
      ],
    );
  });

  void it('uses deployed attributes of unchanged resources, so a resource referencing them stays unchanged', () => {
    const template: Template = {
      Resources: {
        Base: { Type: 'Forte::T::Thing', Properties: { Value: 1 } },
        User: { Type: 'Forte::T::Thing', Properties: { Target: { 'Fn::Join': ['/', [{ Ref: 'Base' }, { 'Fn::GetAtt': ['Base', 'Arn'] }]] } } },
      },
    };
    const deployed = [
      record('Base', 'Forte::T::Thing', { Value: 1 }, { Arn: 'arn:base' }),
      record('User', 'Forte::T::Thing', { Target: 'phys-Base/arn:base' }),
    ];
    assert.deepEqual(planOf(template, deployed), []);
  });
});

void describe('buildStackGraph', () => {
  const nested: Record<string, Template> = {
    'auth.json': {
      Parameters: { env: { Type: 'String' }, Prefix: { Type: 'String', Default: 'p' } },
      Resources: { Pool: { Type: 'Forte::T::Thing', Properties: { Name: { 'Fn::Sub': '${Prefix}-${env}' } } } },
      Outputs: { PoolArn: { Value: { 'Fn::GetAtt': ['Pool', 'Arn'] } } },
    },
    'api.json': {
      Parameters: { PoolArn: { Type: 'String' }, env: { Type: 'String' } },
      Resources: { Api: { Type: 'Forte::T::Thing', Properties: { Auth: { Ref: 'PoolArn' } } } },
      Outputs: { ApiId: { Value: { Ref: 'Api' } } },
    },
  };
  const root: Template = {
    Parameters: { env: { Type: 'String' } },
    Resources: {
      auth: { Type: 'Forte::Stack', Properties: { TemplateURL: 'auth.json', Parameters: { env: { Ref: 'env' } } } },
      api: {
        Type: 'Forte::Stack',
        Properties: { TemplateURL: 'api.json', Parameters: { env: { Ref: 'env' }, PoolArn: { 'Fn::GetAtt': ['auth', 'Outputs.PoolArn'] } } },
      },
    },
    Outputs: { ApiId: { Value: { 'Fn::GetAtt': ['api', 'Outputs.ApiId'] } } },
  };

  void it('flattens nested stacks into qualified ids, with dependencies through parameters and outputs', () => {
    const graph = graphOf(root, { nested, parameters: { env: 'dev' } });
    assert.deepEqual([...graph.nodes.keys()], ['auth.Pool', 'api.Api']);
    assert.deepEqual([...(graph.nodes.get('api.Api')?.dependsOn ?? [])], ['auth.Pool']);
    const api = graph.nodes.get('api.Api');
    assert.ok(api);
    assert.deepEqual(evaluate(api.properties, api.scope, ctxWith({ 'auth.Pool': { physicalId: 'pool', attributes: { Arn: 'arn:pool' } } })), {
      Auth: 'arn:pool',
    });
    const pool = graph.nodes.get('auth.Pool');
    assert.ok(pool);
    assert.deepEqual(evaluate(pool.properties, pool.scope, ctxWith({})), { Name: 'p-dev' });
  });

  void it('names missing parameters and the stack that misses them', () => {
    assert.throws(
      () => graphOf(root, { nested }),
      new TemplateError(`Parameters must have values: env (stack ${identity.stackName}); pass them from the parent stack or give them a Default`),
    );
    const withoutEnv = structuredClone(root);
    (withoutEnv.Resources['auth']!.Properties!['Parameters'] as Record<string, unknown>) = {};
    assert.throws(() => graphOf(withoutEnv, { nested, parameters: { env: 'dev' } }), /Parameters must have values: env \(stack auth\)/);
    // A template written from a project file is named by it, so the user knows which file to fix.
    assert.throws(
      () => graphOf(withoutEnv, { nested, parameters: { env: 'dev' }, files: { 'auth.json': 'amplify/backend/auth/a/a-template.json' } }),
      /Parameters must have values: env \(stack auth, file amplify\/backend\/auth\/a\/a-template\.json\)/,
    );
  });

  void it('names a nested template missing from the change set', () => {
    assert.throws(
      () => graphOf(root, { nested: { 'auth.json': nested['auth.json']! }, parameters: { env: 'dev' } }),
      /api: TemplateURL api\.json is not among the change set's nestedTemplates/,
    );
  });

  void it('names an unknown resource type with its id', () => {
    assert.throws(
      () => graphOf({ Resources: { Odd: { Type: 'Forte::Nope::Thing' } } }),
      new TemplateError(`Odd (stack ${identity.stackName}): resource type Forte::Nope::Thing is not supported (no service of this cloud handles it)`),
    );
  });

  void it('reports a real cycle, naming it, but not stacks that only look circular', () => {
    assert.throws(
      () =>
        graphOf({
          Resources: {
            A: { Type: 'Forte::T::Thing', Properties: { X: { Ref: 'B' } } },
            B: { Type: 'Forte::T::Thing', Properties: { X: { 'Fn::GetAtt': ['A', 'Arn'] } } },
          },
        }),
      /Circular dependency between resources: (A → B → A|B → A → B)/,
    );
    // Stack one needs stack two's output and the other way round: fine, the resources form no cycle.
    const one: Template = {
      Parameters: { FromTwo: { Type: 'String' } },
      Resources: { Fn: { Type: 'Forte::T::Thing', Properties: {} }, Trigger: { Type: 'Forte::T::Thing', Properties: { Uses: { Ref: 'FromTwo' } } } },
      Outputs: { FnArn: { Value: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
    };
    const two: Template = {
      Parameters: { FromOne: { Type: 'String' } },
      Resources: { Pool: { Type: 'Forte::T::Thing', Properties: { Hook: { Ref: 'FromOne' } } } },
      Outputs: { PoolId: { Value: { Ref: 'Pool' } } },
    };
    const graph = graphOf(
      {
        Resources: {
          // DependsOn both ways, as Amplify root templates write it: kept only where it is not circular.
          one: {
            Type: 'Forte::Stack',
            DependsOn: ['two'],
            Properties: { TemplateURL: 'one', Parameters: { FromTwo: { 'Fn::GetAtt': ['two', 'Outputs.PoolId'] } } },
          },
          two: {
            Type: 'Forte::Stack',
            DependsOn: ['one'],
            Properties: { TemplateURL: 'two', Parameters: { FromOne: { 'Fn::GetAtt': ['one', 'Outputs.FnArn'] } } },
          },
        },
      },
      { nested: { one, two } },
    );
    assert.deepEqual([...graph.nodes.keys()], ['one.Fn', 'two.Pool', 'one.Trigger']);
    assert.deepEqual([...(graph.nodes.get('one.Fn')?.dependsOn ?? [])], []);
  });

  void it('orders every resource of a stack after the stack it DependsOn when that is not circular', () => {
    const single = (name: string): Template => ({ Resources: { [name]: { Type: 'Forte::T::Thing', Properties: {} } } });
    const graph = graphOf(
      {
        Resources: {
          api: { Type: 'Forte::Stack', DependsOn: 'auth', Properties: { TemplateURL: 'api' } },
          auth: { Type: 'Forte::Stack', Properties: { TemplateURL: 'auth' } },
          Plain: { Type: 'Forte::T::Thing', DependsOn: ['api'] },
        },
      },
      { nested: { api: single('Api'), auth: single('Pool') } },
    );
    assert.deepEqual([...graph.nodes.keys()], ['auth.Pool', 'api.Api', 'Plain']);
    assert.deepEqual([...(graph.nodes.get('api.Api')?.dependsOn ?? [])], ['auth.Pool']);
    assert.deepEqual([...(graph.nodes.get('Plain')?.dependsOn ?? [])], ['api.Api']);
  });

  void it('decides conditions and Fn::If, and drops resources whose condition is false', () => {
    const template: Template = {
      Parameters: { env: { Type: 'String' } },
      Conditions: {
        IsProd: { 'Fn::Equals': [{ Ref: 'env' }, 'prod'] },
        NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
        Both: { 'Fn::And': [{ Condition: 'NotProd' }, { 'Fn::Or': [{ 'Fn::Equals': ['a', 'b'] }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }] }] },
      },
      Resources: {
        OnlyProd: { Type: 'Forte::T::Thing', Condition: 'IsProd' },
        Always: {
          Type: 'Forte::T::Thing',
          Properties: { Size: { 'Fn::If': ['IsProd', 'large', 'small'] }, Extra: { 'Fn::If': ['Both', { Ref: 'AWS::NoValue' }, 'x'] } },
        },
      },
    };
    const dev = graphOf(template, { parameters: { env: 'dev' } });
    assert.deepEqual([...dev.nodes.keys()], ['Always']);
    const always = dev.nodes.get('Always');
    assert.ok(always);
    assert.deepEqual(evaluate(always.properties, always.scope, ctxWith({})), { Size: 'small' });
    assert.deepEqual([...graphOf(template, { parameters: { env: 'prod' } }).nodes.keys()].sort(), ['Always', 'OnlyProd']);
  });

  void it('evaluates Sub (string and variables), Join, Select, Split and pseudo parameters', () => {
    const template: Template = { Resources: { R: { Type: 'Forte::T::Thing' }, S: { Type: 'Forte::T::Thing' } } };
    const graph = graphOf(template);
    const ctx = ctxWith({ R: { physicalId: 'r-1', attributes: { Arn: 'arn:r' } } });
    const value = evaluate(
      {
        a: { 'Fn::Sub': '${AWS::Region}/${R}/${R.Arn}/${!Literal}/${Forte::AppSlug}' },
        b: { 'Fn::Sub': ['${x}-${y}', { x: { Ref: 'R' }, y: 'why' }] },
        c: { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] },
        d: { 'Fn::Join': ['-', ['x', { Ref: 'AWS::StackName' }]] },
        e: [1, { Ref: 'AWS::NoValue' }, 2],
      },
      graph.root,
      ctx,
    );
    assert.deepEqual(value, { a: 'us-east-1/r-1/arn:r/${Literal}/app', b: 'r-1-why', c: 'b', d: `x-${identity.stackName}`, e: [1, 2] });
    assert.throws(() => evaluate({ 'Fn::Select': [5, ['a']] }, graph.root, ctx), /index 5 is out of range/);
    assert.throws(() => evaluate({ Ref: 'Nope' }, graph.root, ctx), /Ref Nope names no parameter/);
    assert.throws(() => evaluate({ 'Fn::FindInMap': [] }, graph.root, ctx), /Fn::FindInMap is not supported/);
  });
});

void describe('appliedAfter', () => {
  void it('orders a resource after those of the types its handler names, in other stacks too, unless they wait for it', () => {
    const nested: Record<string, Template> = {
      'api.json': {
        Resources: { Api: { Type: 'Forte::T::Thing' }, Schema: { Type: 'Forte::T::Schema', Properties: { ApiId: { Ref: 'Api' } } } },
        Outputs: { ApiId: { Value: { Ref: 'Api' } }, SchemaId: { Value: { Ref: 'Schema' } } },
      },
      'fn.json': {
        Parameters: { ApiId: { Type: 'String' }, SchemaId: { Type: 'String' } },
        Resources: {
          Plain: { Type: 'Forte::T::Fn' },
          // Reads the API's id (a function given access to the API's tables): it still comes before the schema.
          UsesApi: { Type: 'Forte::T::Fn', Properties: { Api: { Ref: 'ApiId' } } },
          // Waits for the schema itself: ordering the schema after it would be a cycle, so the reference decides.
          UsesSchema: { Type: 'Forte::T::Fn', Properties: { Schema: { Ref: 'SchemaId' } } },
        },
      },
    };
    const root: Template = {
      Resources: {
        api: { Type: 'Forte::Stack', Properties: { TemplateURL: 'api.json' } },
        fn: {
          Type: 'Forte::Stack',
          Properties: {
            TemplateURL: 'fn.json',
            Parameters: { ApiId: { 'Fn::GetAtt': ['api', 'Outputs.ApiId'] }, SchemaId: { 'Fn::GetAtt': ['api', 'Outputs.SchemaId'] } },
          },
        },
      },
    };
    const graph = graphOf(root, { nested });
    const schema = graph.nodes.get('api.Schema');
    assert.ok(schema);
    assert.deepEqual([...schema.dependsOn].sort(), ['api.Api', 'fn.Plain', 'fn.UsesApi']);
    const order = [...graph.nodes.keys()];
    assert.ok(order.indexOf('fn.UsesApi') < order.indexOf('api.Schema'));
    assert.ok(order.indexOf('api.Schema') < order.indexOf('fn.UsesSchema'));
  });
});
