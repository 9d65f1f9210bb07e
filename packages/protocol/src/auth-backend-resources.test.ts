import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cognitoAuthResource, userPoolGroupNames } from './auth-backend-resources.js';
import type { BackendConfig } from './project-files.js';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function project(auth: Record<string, { service: string }> | undefined, precedence?: string) {
  const root = mkdtempSync(join(tmpdir(), 'forte-auth-res-'));
  roots.push(root);
  if (precedence !== undefined) {
    mkdirSync(join(root, 'auth', 'userPoolGroups'), { recursive: true });
    writeFileSync(join(root, 'auth', 'userPoolGroups', 'user-pool-group-precedence.json'), precedence);
  }
  return {
    root,
    readBackendConfig: () => (auth ? { auth } : {}) as unknown as BackendConfig,
    resourceDir: (category: string, name: string) => join(root, category, name),
  };
}

void describe('auth resources read from the project', () => {
  void it('finds the Cognito resource and none without one', () => {
    const p = project({ userPoolGroups: { service: 'Cognito-UserPool-Groups' }, myapp1234: { service: 'Cognito' } });
    assert.equal(cognitoAuthResource(p), 'myapp1234');
    assert.equal(cognitoAuthResource(project(undefined)), undefined);
    assert.equal(cognitoAuthResource(project({ userPoolGroups: { service: 'Cognito-UserPool-Groups' } })), undefined);
  });

  void it('lists the groups in precedence order, and none when the resource or its file is missing or broken', () => {
    const groups = { myapp1234: { service: 'Cognito' }, userPoolGroups: { service: 'Cognito-UserPool-Groups' } };
    const p = project(groups, JSON.stringify([{ groupName: 'Admins', precedence: 1 }, { groupName: 'Editors', precedence: 2 }, { precedence: 3 }]));
    assert.deepEqual(userPoolGroupNames(p), ['Admins', 'Editors']);
    assert.deepEqual(userPoolGroupNames(project({ myapp1234: { service: 'Cognito' } }, '[{"groupName":"Ignored"}]')), [], 'no userPoolGroups resource');
    assert.deepEqual(userPoolGroupNames(project(groups)), [], 'no precedence file');
    assert.deepEqual(userPoolGroupNames(project(groups, '{not json')), [], 'a broken file');
    assert.deepEqual(userPoolGroupNames(project(groups, '{"groupName":"A"}')), [], 'not a list');
  });
});
