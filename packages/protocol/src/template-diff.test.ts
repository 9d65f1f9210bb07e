import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Template } from './template.js';
import { diffParameterValues, diffTemplateResources, diffTemplates, sameJson } from './template-diff.js';

const table = (keys: string[], extra: Record<string, unknown> = {}) => ({
  Type: 'Forte::DynamoDB::Table',
  Properties: { TableName: 'Todo', KeySchema: keys.map((k) => ({ AttributeName: k })), ...extra },
});

test('same templates: no lines', () => {
  const t: Template = { Resources: { Table: table(['id']) } };
  assert.deepEqual(diffTemplates(t, structuredClone(t)), []);
});

test('added, removed and changed resources, properties, parameters and outputs', () => {
  const before: Template = {
    Parameters: { env: { Type: 'String' } },
    Resources: { Table: table(['id'], { Billing: 'PAY' }), Old: { Type: 'Forte::S3::Bucket', Properties: {} } },
    Outputs: { Name: { Value: 'a' } },
  };
  const after: Template = {
    Parameters: { env: { Type: 'String' }, AppId: { Type: 'String' } },
    Resources: { Table: table(['owner', 'id'], { Stream: true }), New: { Type: 'Forte::IAM::Role', Properties: {} } },
    Outputs: { Name: { Value: 'b' } },
  };
  assert.deepEqual(diffTemplates(before, after), [
    'Parameters',
    '[+] AppId',
    '',
    'Resources',
    '[~] Forte::DynamoDB::Table Table',
    ' ├─ [~] KeySchema',
    ' │   ├─ [-] [{"AttributeName":"id"}]',
    ' │   └─ [+] [{"AttributeName":"owner"},{"AttributeName":"id"}]',
    ' ├─ [-] Billing',
    ' │   └─ [-] "PAY"',
    ' └─ [+] Stream',
    '     └─ [+] true',
    '[-] Forte::S3::Bucket Old',
    '[+] Forte::IAM::Role New',
    '',
    'Outputs',
    '[~] Name',
    ' ├─ [-] {"Value":"a"}',
    ' └─ [+] {"Value":"b"}',
  ]);
});

test('a new or a deleted resource: everything added or removed', () => {
  const t: Template = { Resources: { Table: table(['id']) } };
  assert.deepEqual(diffTemplates(undefined, t), ['Resources', '[+] Forte::DynamoDB::Table Table']);
  assert.deepEqual(diffTemplates(t, undefined), ['Resources', '[-] Forte::DynamoDB::Table Table']);
});

test('long values are diffed line by line, never cut: a field dropped from a schema is one removed line', () => {
  const fields = Array.from({ length: 30 }, (_, i) => `  field${i}: String`);
  const schema = (list: string[]): Template => ({
    Resources: { Schema: { Type: 'Forte::AppSync::GraphQLSchema', Properties: { Definition: ['type Todo {', ...list, '}'].join('\n') } } },
  });
  assert.deepEqual(diffTemplates(schema(fields), schema(fields.filter((f) => !f.includes('field12:')))), [
    'Resources',
    '[~] Forte::AppSync::GraphQLSchema Schema',
    ' └─ [~] Definition',
    '     @@ -12,5 +12,4 @@',
    '         field10: String',
    '         field11: String',
    '     -   field12: String',
    '         field13: String',
    '         field14: String',
  ]);
  const long = (c: string): Template => ({ Resources: { Table: table(['id'], { Description: c.repeat(500) }) } });
  const changed = diffTemplates(long('x'), long('y'));
  assert.deepEqual(changed.slice(3), ['     @@ -1,1 +1,1 @@', `     - ${'x'.repeat(500)}`, `     + ${'y'.repeat(500)}`]);
});

test('long objects are diffed as indented JSON; parameter values have their own section', () => {
  const plan = (ttl: number): Record<string, unknown> => ({
    version: 1,
    models: { Todo: { table: 'Todo', ttl, fields: ['id', 'name', 'description', 'owner', 'createdAt', 'updatedAt'] } },
  });
  assert.deepEqual(diffParameterValues({ Plan: plan(1), Name: 'a' }, { Plan: plan(2), Name: 'a' }), [
    'Parameter values',
    '[~] Plan',
    ' @@ -4,5 +4,5 @@',
    '       "Todo": {',
    '         "table": "Todo",',
    ' -       "ttl": 1,',
    ' +       "ttl": 2,',
    '         "fields": [',
    '           "id",',
  ]);
  assert.deepEqual(diffParameterValues({ Name: 'a' }, { Name: 'a' }), []);
});

test('resources that differ: added, removed, and changed with the names of their changed properties', () => {
  const before: Template = { Resources: { Table: table(['id']), Old: { Type: 'Forte::Test::Resource', Properties: { Value: 1 } } } };
  const after: Template = {
    Resources: {
      Table: { ...table(['id'], { BillingMode: 'PAY_PER_REQUEST' }), DependsOn: 'New' },
      New: { Type: 'Forte::Test::Resource', Properties: { Value: 2 } },
    },
  };
  assert.deepEqual(diffTemplateResources(before, after), [
    {
      logicalId: 'Table',
      resourceType: 'Forte::DynamoDB::Table',
      change: 'changed',
      properties: [
        { name: 'DependsOn', change: 'added' },
        { name: 'BillingMode', change: 'added' },
      ],
    },
    { logicalId: 'Old', resourceType: 'Forte::Test::Resource', change: 'removed', properties: [{ name: 'Value', change: 'removed' }] },
    { logicalId: 'New', resourceType: 'Forte::Test::Resource', change: 'added', properties: [{ name: 'Value', change: 'added' }] },
  ]);
  assert.deepEqual(diffTemplateResources(after, after), []);
  assert.deepEqual(diffTemplateResources(undefined, undefined), []);
});

test('sameJson compares JSON values deeply, arrays and objects apart', () => {
  assert.equal(sameJson({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] }), true);
  assert.equal(sameJson({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] }), false);
  assert.equal(sameJson({ 0: 'a' }, ['a']), false);
  assert.equal(sameJson({ a: 1 }, { b: 1 }), false);
  assert.equal(sameJson(null, {}), false);
});
