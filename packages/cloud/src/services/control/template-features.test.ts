import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Template, TemplateParameter } from '@forte/protocol';
import type { ResourceHandler } from '../../kernel/types.js';
import type { DeployedRecord } from './control-store.js';
import { TemplateError, evaluate, type EvaluationContext } from './evaluate-intrinsics.js';
import { planChanges } from './plan-changes.js';
import { buildStackGraph, type StackGraph } from './stack-graph.js';

// What Amplify's function and layer templates use: exports and imports between stacks, pseudo
// parameters, conditions, parameter types, and the refusals that come before anything is applied.
const identity = { stackName: 'amplify-app-dev-12345', appId: 'dabc', appSlug: 'app', envName: 'dev', region: 'eu-west-1', accountId: '123456789012' };
const noop: ResourceHandler = {
  create: () => Promise.reject(new Error('unused')),
  update: () => Promise.reject(new Error('unused')),
  delete: () => Promise.reject(new Error('unused')),
};
const TYPES = ['Forte::T::Thing', 'AWS::IAM::Role', 'AWS::IAM::Policy'];
const FN_FILE = 'amplify/backend/function/fetcher/fetcher-cloudformation-template.json';

function graphOf(template: Template, nested: Record<string, Template> = {}, parameters: Record<string, unknown> = {}): StackGraph {
  return buildStackGraph({
    template,
    nestedTemplates: nested,
    nestedTemplateFiles: { 'function.json': FN_FILE },
    parameters,
    identity,
    isKnownType: (t) => TYPES.includes(t),
  });
}

function ctxOf(graph: StackGraph, values: Record<string, { physicalId: string; attributes: Record<string, unknown> }>): EvaluationContext {
  return {
    pseudo: graph.pseudo,
    rootStackName: identity.stackName,
    exports: graph.exports,
    resource: (id, attribute) => {
      const r = values[id];
      if (!r) throw new Error(`no ${id}`);
      return attribute === undefined ? r.physicalId : r.attributes[attribute];
    },
  };
}

/** An API stack exporting its table as Amplify's transformer does, and a function stack importing it. */
const apiTemplate: Template = {
  Resources: { GraphQLAPI: { Type: 'Forte::T::Thing' }, PostTable: { Type: 'Forte::T::Thing' } },
  Outputs: {
    GraphQLAPIIdOutput: { Value: { 'Fn::GetAtt': ['GraphQLAPI', 'ApiId'] } },
    GetAttPostTableStreamArn: {
      Value: { 'Fn::GetAtt': ['PostTable', 'StreamArn'] },
      Export: { Name: { 'Fn::Join': [':', [{ 'Fn::GetAtt': ['GraphQLAPI', 'ApiId'] }, 'GetAtt', 'PostTable', 'StreamArn']] } },
    },
  },
};
const functionTemplate = (model = 'Post'): Template => ({
  Parameters: { env: { Type: 'String' }, apiblogGraphQLAPIIdOutput: { Type: 'String', Default: 'apiblogGraphQLAPIIdOutput' } },
  Resources: {
    Policy: {
      Type: 'AWS::IAM::Policy',
      Properties: { Resource: { 'Fn::ImportValue': { 'Fn::Sub': `\${apiblogGraphQLAPIIdOutput}:GetAtt:${model}Table:StreamArn` } } },
    },
  },
});
const rootTemplate: Template = {
  Resources: {
    apiblog: { Type: 'Forte::Stack', Properties: { TemplateURL: 'api.json' } },
    functionfetcher: {
      Type: 'Forte::Stack',
      Properties: {
        TemplateURL: 'function.json',
        Parameters: { env: 'dev', apiblogGraphQLAPIIdOutput: { 'Fn::GetAtt': ['apiblog', 'Outputs.GraphQLAPIIdOutput'] } },
      },
    },
  },
};

void describe('Fn::ImportValue', () => {
  void it('reads an export of another nested stack, ordered after the resources the export names', () => {
    const graph = graphOf(rootTemplate, { 'api.json': apiTemplate, 'function.json': functionTemplate() });
    const policy = graph.nodes.get('functionfetcher.Policy');
    assert.ok(policy);
    // The name matches before the API exists; the value is the table's, so the policy waits for the table.
    assert.deepEqual([...policy.dependsOn], ['apiblog.PostTable']);
    const order = [...graph.nodes.keys()];
    assert.ok(order.indexOf('apiblog.PostTable') < order.indexOf('functionfetcher.Policy'));
    const streamArn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Post-abc-dev/stream/2026-01-01T00:00:00.000';
    const ctx = ctxOf(graph, {
      'apiblog.GraphQLAPI': { physicalId: 'g', attributes: { ApiId: 'abc' } },
      'apiblog.PostTable': { physicalId: 'Post-abc-dev', attributes: { StreamArn: streamArn } },
    });
    assert.deepEqual(evaluate(policy.properties, policy.scope, ctx), { Resource: streamArn });
  });

  void it('refuses an import nobody exports, naming the export, the importer, its stack and its file', () => {
    assert.throws(
      () => graphOf(rootTemplate, { 'api.json': apiTemplate, 'function.json': functionTemplate('Comment') }),
      new TemplateError(
        `Policy (stack functionfetcher, file ${FN_FILE}): Fn::ImportValue <apiblog.GraphQLAPI.ApiId>:GetAtt:CommentTable:StreamArn: ` +
          'no stack of this environment exports that name (an output with Export.Name); add the export or the resource that makes it',
      ),
    );
  });

  void it('refuses two outputs exporting one name, and ignores an export whose Condition is false', () => {
    const twice: Template = {
      Resources: { A: { Type: 'Forte::T::Thing' } },
      Outputs: { One: { Value: 'x', Export: { Name: 'shared' } }, Two: { Value: 'y', Export: { Name: 'shared' } } },
    };
    assert.throws(() => graphOf(twice), /Outputs\.Two \(stack amplify-app-dev-12345\): export shared is already exported by Outputs\.One/);
    const conditional: Template = {
      Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } },
      Resources: { A: { Type: 'Forte::T::Thing', Properties: { V: { 'Fn::ImportValue': 'shared' } } } },
      Outputs: { One: { Value: 'x', Condition: 'Never', Export: { Name: 'shared' } } },
    };
    assert.throws(() => graphOf(conditional), /A \(stack amplify-app-dev-12345\): Fn::ImportValue shared: no stack of this environment exports that name/);
    const loop: Template = {
      Resources: { A: { Type: 'Forte::T::Thing', Properties: { V: { 'Fn::ImportValue': 'loop' } } } },
      Outputs: { Loop: { Value: { 'Fn::ImportValue': 'loop' }, Export: { Name: 'loop' } } },
    };
    assert.throws(() => graphOf(loop), /A \(stack amplify-app-dev-12345\): Fn::ImportValue loop: the export's value imports itself/);
  });

  void it('plans against the deployed exporter: an import of an unchanged export changes nothing', () => {
    const graph = graphOf(rootTemplate, { 'api.json': apiTemplate, 'function.json': functionTemplate() });
    const arn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Post-abc-dev/stream/2026-01-01T00:00:00.000';
    const record = (logicalId: string, resolved: Record<string, unknown>, attributes: Record<string, unknown>): DeployedRecord => ({
      logicalId,
      resourceType: logicalId.endsWith('Policy') ? 'AWS::IAM::Policy' : 'Forte::T::Thing',
      physicalId: `p-${logicalId}`,
      templateProperties: graph.nodes.get(logicalId)?.properties ?? {},
      resolvedProperties: resolved,
      attributes,
      dependsOn: [],
    });
    const deployed = [
      record('apiblog.GraphQLAPI', {}, { ApiId: 'abc' }),
      record('apiblog.PostTable', {}, { StreamArn: arn }),
      record('functionfetcher.Policy', { Resource: arn }, {}),
    ];
    assert.deepEqual(planChanges({ graph, deployed, handlerFor: () => noop }), []);
    const moved = deployed.map((r) => (r.logicalId === 'functionfetcher.Policy' ? { ...r, resolvedProperties: { Resource: 'old' } } : r));
    assert.deepEqual(
      planChanges({ graph, deployed: moved, handlerFor: () => noop }).map((c) => [c.logicalId, c.action, c.reasons]),
      [['functionfetcher.Policy', 'Modify', ['Properties.Resource changed']]],
    );
  });
});

void describe('template features of Amplify function templates', () => {
  void it('answers pseudo parameters as CloudFormation does, per stack', () => {
    const nested: Template = {
      Resources: {
        R: {
          Type: 'Forte::T::Thing',
          DependsOn: 'S',
          Properties: {
            Suffix: { Ref: 'AWS::URLSuffix' },
            Arn: { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:x' },
            StackId: { Ref: 'AWS::StackId' },
            StackName: { Ref: 'AWS::StackName' },
            Topics: { Ref: 'AWS::NotificationARNs' },
            Zones: { 'Fn::GetAZs': '' },
            Dropped: { Ref: 'AWS::NoValue' },
            List: ['a', { Ref: 'AWS::NoValue' }, 'b'],
            Att: { 'Fn::GetAtt': 'S.Arn' },
          },
        },
        S: { Type: 'Forte::T::Thing' },
      },
    };
    const graph = graphOf({ Resources: { fn: { Type: 'Forte::Stack', Properties: { TemplateURL: 'n.json' } } } }, { 'n.json': nested });
    const r = graph.nodes.get('fn.R');
    assert.ok(r);
    assert.deepEqual([...r.dependsOn].sort(), ['fn.S']);
    assert.deepEqual(evaluate(r.properties, r.scope, ctxOf(graph, { 'fn.S': { physicalId: 's', attributes: { Arn: 'arn:s' } } })), {
      Suffix: 'amazonaws.com',
      Arn: 'arn:aws:logs:eu-west-1:123456789012:log-group:x',
      StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/amplify-app-dev-12345-fn/dabc',
      StackName: 'amplify-app-dev-12345-fn',
      Topics: [],
      Zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      List: ['a', 'b'],
      Att: 'arn:s',
    });
  });

  void it('checks parameter types and allowed values, naming the parameter and the file', () => {
    const root: Template = { Resources: { fn: { Type: 'Forte::Stack', Properties: { TemplateURL: 'function.json' } } } };
    const nested = (parameter: TemplateParameter): Record<string, Template> => ({ 'function.json': { Parameters: { p: parameter }, Resources: {} } });
    assert.throws(
      () => graphOf(root, nested({ Type: 'Number', Default: 'ten' })),
      new TemplateError(`Parameter p (stack fn, file ${FN_FILE}): Type Number needs numbers; got "ten"`),
    );
    assert.doesNotThrow(() => graphOf(root, nested({ Type: 'Number', Default: '25' })));
    assert.throws(
      () => graphOf(root, nested({ Type: 'CommaDelimitedList', Default: 'a,c', AllowedValues: ['a', 'b'] })),
      /Parameter p \(stack fn, file .*\) must be one of a, b; got c/,
    );
    assert.throws(
      () => graphOf(root, nested({ Type: 'AWS::SSM::Parameter::Value<String>', Default: '/x' })),
      /Parameter p \(stack fn, file .*\): Type AWS::SSM::Parameter::Value<String> is not supported/,
    );
    assert.throws(() => graphOf(root, nested({ Type: 'Strnig', Default: 'x' })), /unknown Type Strnig/);
    // What the parent passes is checked too, unless it is known only once a resource exists.
    const passing = (value: unknown): Template => ({
      Resources: { fn: { Type: 'Forte::Stack', Properties: { TemplateURL: 'function.json', Parameters: { p: value } } }, R: { Type: 'Forte::T::Thing' } },
    });
    assert.throws(
      () => graphOf(passing('NONE'), nested({ Type: 'String', AllowedValues: ['dev', 'prod'] })),
      /Parameter p \(stack fn, file .*\) must be one of dev, prod; got NONE/,
    );
    assert.doesNotThrow(() => graphOf(passing({ 'Fn::GetAtt': ['R', 'Name'] }), nested({ Type: 'String', AllowedValues: ['dev', 'prod'] })));
    const listed = graphOf(
      { Parameters: { zones: { Type: 'List<String>' } }, Resources: { R: { Type: 'Forte::T::Thing', Properties: { Z: { Ref: 'zones' } } } } },
      {},
      { zones: 'a,b' },
    );
    const r = listed.nodes.get('R');
    assert.ok(r);
    assert.deepEqual(evaluate(r.properties, r.scope, ctxOf(listed, {})), { Z: ['a', 'b'] });
  });

  void it('refuses, in one message before anything is applied, every unknown type, unsupported intrinsic and missing name, even in a branch not taken', () => {
    const fn: Template = {
      Parameters: { env: { Type: 'String', Default: 'dev' } },
      Conditions: { IsNone: { 'Fn::Equals': [{ Ref: 'env' }, 'NONE'] }, Odd: { 'Fn::Not': [{ Condition: 'Missing' }] } },
      Resources: {
        LambdaFunction: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'f' } },
        Role: {
          Type: 'AWS::IAM::Role',
          Condition: 'Nowhere',
          DependsOn: ['Ghost'],
          Properties: {
            RoleName: { 'Fn::If': ['IsNone', { 'Fn::FindInMap': ['M', 'a', 'b'] }, { 'Fn::Sub': '${env}-${Nobody}' }] },
            Path: { 'Fn::If': ['Unknown', '/', { Ref: 'NoSuchParameter' }] },
            Arn: { 'Fn::GetAtt': ['Absent', 'Arn'] },
          },
        },
      },
      Outputs: { Name: { Value: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] } } },
    };
    let message = '';
    try {
      graphOf({ Resources: { functionfetcher: { Type: 'Forte::Stack', Properties: { TemplateURL: 'function.json' } } } }, { 'function.json': fn });
    } catch (error) {
      assert.ok(error instanceof TemplateError);
      message = error.message;
    }
    const at = (id: string): string => `${id} (stack functionfetcher, file ${FN_FILE})`;
    assert.deepEqual(message.split('\n'), [
      `${at('LambdaFunction')}: resource type AWS::Lambda::Function is not supported (no service of this cloud handles it)`,
      `${at('Role')}: Condition Nowhere is not defined in the template's Conditions`,
      `${at('Role')}: DependsOn names Ghost, which the stack does not define`,
      `${at('Role')}: the intrinsic function Fn::FindInMap is not supported (the engine evaluates Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::Select, Fn::Split, Fn::Base64, Fn::ImportValue, Fn::GetAZs)`,
      `${at('Role')}: Fn::Sub names \${Nobody}, which is no parameter, variable or resource`,
      `${at('Role')}: Fn::If names condition Unknown, which the template's Conditions do not define`,
      `${at('Role')}: Ref NoSuchParameter names no parameter, pseudo parameter or resource of the stack`,
      `${at('Role')}: Fn::GetAtt names resource Absent, which the stack does not define`,
      `${at('Outputs.Name')}: the intrinsic function Fn::Cidr is not supported (the engine evaluates Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::Select, Fn::Split, Fn::Base64, Fn::ImportValue, Fn::GetAZs)`,
      `${at('Conditions.Odd')}: Condition Missing is not defined in the template's Conditions`,
    ]);
  });

  void it('leaves out a resource and an output whose Condition is false', () => {
    const template: Template = {
      Parameters: { env: { Type: 'String', AllowedValues: ['dev', 'NONE'] } },
      Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [{ Ref: 'env' }, 'NONE'] } },
      Resources: {
        Always: {
          Type: 'Forte::T::Thing',
          Properties: { Name: { 'Fn::If': ['ShouldNotCreateEnvResources', 'f', { 'Fn::Join': ['-', ['f', { Ref: 'env' }]] }] } },
        },
        OnlyNone: { Type: 'Forte::T::Thing', Condition: 'ShouldNotCreateEnvResources' },
      },
      Outputs: { Gone: { Condition: 'ShouldNotCreateEnvResources', Value: { Ref: 'OnlyNone' } } },
    };
    const dev = graphOf(template, {}, { env: 'dev' });
    assert.deepEqual([...dev.nodes.keys()], ['Always']);
    const always = dev.nodes.get('Always');
    assert.ok(always);
    assert.deepEqual(evaluate(always.properties, always.scope, ctxOf(dev, {})), { Name: 'f-dev' });
    assert.deepEqual([...graphOf(template, {}, { env: 'NONE' }).nodes.keys()].sort(), ['Always', 'OnlyNone']);
    assert.throws(() => graphOf(template, {}, { env: 'prod' }), /Parameter env \(stack amplify-app-dev-12345\) must be one of dev, NONE; got prod/);
  });
});
