import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Template } from '@forte/protocol';
import { diffTemplates } from './template-diff.js';

const table = (keys: string[], extra: Record<string, unknown> = {}) => ({ Type: 'Forte::DynamoDB::Table', Properties: { TableName: 'Todo', KeySchema: keys.map((k) => ({ AttributeName: k })), ...extra } });

test('same templates: no lines', () => {
  const t: Template = { Resources: { Table: table(['id']) } };
  assert.deepEqual(diffTemplates(t, structuredClone(t)), []);
});

test('added, removed and changed resources, properties, parameters and outputs', () => {
  const before: Template = { Parameters: { env: { Type: 'String' } }, Resources: { Table: table(['id'], { Billing: 'PAY' }), Old: { Type: 'Forte::S3::Bucket', Properties: {} } }, Outputs: { Name: { Value: 'a' } } };
  const after: Template = { Parameters: { env: { Type: 'String' }, AppId: { Type: 'String' } }, Resources: { Table: table(['owner', 'id'], { Stream: true }), New: { Type: 'Forte::IAM::Role', Properties: {} } }, Outputs: { Name: { Value: 'b' } } };
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

test('a new or a deleted resource: everything added or removed; long values are cut', () => {
  const t: Template = { Resources: { Table: table(['id'], { Description: 'x'.repeat(500) }) } };
  assert.deepEqual(diffTemplates(undefined, t), ['Resources', '[+] Forte::DynamoDB::Table Table']);
  assert.deepEqual(diffTemplates(t, undefined), ['Resources', '[-] Forte::DynamoDB::Table Table']);
  const changed = diffTemplates(t, { Resources: { Table: table(['id'], { Description: 'y'.repeat(500) }) } });
  assert.ok(changed.every((line) => line.length < 220), 'values longer than 200 characters are cut');
  assert.match(changed.at(-1)!, /\.\.\.$/);
});
