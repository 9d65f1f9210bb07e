import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { activeOverrides, overrideDoesSomething } from './override-files.js';

// What `amplify override <category>` writes (the import and the parameters' types differ by category).
const scaffold = (template: string): string =>
  `import { ${template}, AmplifyProjectInfo } from '@aws-amplify/cli-extensibility-helper';\n\n` +
  `export function override(resources: ${template}, amplifyProjectInfo: AmplifyProjectInfo) {\n\n}\n`;

void describe('override.ts files', () => {
  void it('finds no change in the file `amplify override` writes, in one without code, or in a body of comments', () => {
    for (const template of [
      'AmplifyAuthCognitoStackTemplate',
      'AmplifyS3ResourceTemplate',
      'AmplifyApiGraphQlResourceStackTemplate',
      'AmplifyRootStackTemplate',
    ])
      assert.equal(overrideDoesSomething(scaffold(template)), false, template);
    assert.equal(overrideDoesSomething(''), false);
    assert.equal(overrideDoesSomething('// nothing yet\n/* later */\n'), false);
    assert.equal(overrideDoesSomething('export function override(resources: any): void {\n  // resources.userPool.policies = {};\n}\n'), false);
    assert.equal(overrideDoesSomething('export const override = (resources: any) => {};\n'), false);
  });

  void it('finds a change in a body that does anything, whatever form the function takes', () => {
    assert.equal(overrideDoesSomething(scaffold('AmplifyAuthCognitoStackTemplate').replace('{\n\n}', '{\n  resources.userPool.policies = {};\n}')), true);
    assert.equal(overrideDoesSomething('export async function override(r: { userPool: any }) { r.userPool.mfaConfiguration = "ON"; }'), true);
    assert.equal(overrideDoesSomething('export const override = (r: any) => { r.s3Bucket.versioningConfiguration = { status: "Enabled" }; };'), true);
    assert.equal(overrideDoesSomething('export function override(r: any) { const url = "http://example.com"; r.x = url; }'), true);
    // Not understood: reported rather than passed over.
    assert.equal(overrideDoesSomething('module.exports.override = (r) => { r.userPool.x = 1; };'), true);
    assert.equal(overrideDoesSomething('export function override(r: any): { done: boolean } { return { done: true }; }'), true);
  });

  void it("lists the files of the pushed resources and the project's own, from the project's root, and no imported resource's", () => {
    const root = mkdtempSync(join(tmpdir(), 'forte-overrides-'));
    try {
      const backend = join(root, 'amplify', 'backend');
      const write = (path: string, text: string): void => {
        mkdirSync(join(backend, path, '..'), { recursive: true });
        writeFileSync(join(backend, path), text);
      };
      const active = 'export function override(r: any) { r.changed = true; }\n';
      write('auth/pool/override.ts', active);
      write('storage/files/override.ts', scaffold('AmplifyS3ResourceTemplate'));
      write('storage/imported/override.ts', active);
      write('awscloudformation/override.ts', active);
      write('api/other/override.ts', active);
      const config = { auth: { pool: { service: 'Cognito' } }, storage: { files: { service: 'S3' }, imported: { service: 'S3', serviceType: 'imported' } } };
      assert.deepEqual(activeOverrides(root, backend, config), [
        join('amplify', 'backend', 'awscloudformation', 'override.ts'),
        join('amplify', 'backend', 'auth', 'pool', 'override.ts'),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
