import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { folderHash } from './folder-hash.js';
import { openProject, projectPaths } from './project-model.js';
import { computeResourceStatus, statusTableRows } from './resource-status.js';

const work = mkdtempSync(join(tmpdir(), 'forte-status-'));
after(() => rmSync(work, { recursive: true, force: true }));
const json = (path: string, data: unknown): void => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(data));
};

function project(name: string) {
  const root = join(work, name);
  const p = projectPaths(root);
  json(p.projectConfig, { projectName: 'x', version: '3.1', frontend: 'javascript', providers: ['awscloudformation'] });
  json(p.localEnvInfo, { projectPath: root, envName: 'dev' });
  return p;
}

void describe('computeResourceStatus (Amplify §1.6 rules)', () => {
  void it('Create, Update (folder or backend-config), Delete and No Change, in that order', () => {
    const p = project('one');
    const pushed = { service: 'S', providerPlugin: 'awscloudformation', lastPushTimeStamp: '2026-01-01T00:00:00.000Z' };
    const config = { cat: { same: { service: 'S' }, edited: { service: 'S' }, reconf: { service: 'S', dependsOn: [] }, fresh: { service: 'S' } } };
    json(p.backendConfig, config);
    json(p.meta, { providers: { awscloudformation: {} }, cat: { same: pushed, edited: pushed, reconf: pushed, fresh: { service: 'S' } } });
    for (const r of ['same', 'edited', 'reconf']) json(join(p.backendDir, 'cat', r, 'file.json'), { v: 1 });
    cpSync(p.backendDir, p.currentCloudBackendDir, { recursive: true });
    json(p.currentBackendConfig, { cat: { same: { service: 'S' }, edited: { service: 'S' }, reconf: { service: 'S' }, gone: { service: 'S' } } });
    json(p.currentMeta, { cat: { same: pushed, edited: pushed, reconf: pushed, gone: pushed } });
    json(join(p.backendDir, 'cat', 'edited', 'file.json'), { v: 2 });
    // Generated and hidden files do not count.
    json(join(p.backendDir, 'cat', 'same', 'build', 'out.json'), { generated: true });
    json(join(p.backendDir, 'cat', 'same', '.hidden'), {});

    const status = computeResourceStatus(openProject(p.root));
    assert.deepEqual(
      status.resources.map((r) => [r.resourceName, r.operation]),
      [
        ['fresh', 'Create'],
        ['edited', 'Update'],
        ['reconf', 'Update'],
        ['gone', 'Delete'],
        ['same', 'No Change'],
      ],
    );
    assert.equal(status.changed, true);
    assert.deepEqual(statusTableRows(status)[1], ['Cat', 'fresh', 'Create', 'awscloudformation']);
    const filtered = computeResourceStatus(openProject(p.root), { categories: ['other'] });
    assert.equal(filtered.resources.length, 0);
    assert.equal(filtered.changed, false);
  });

  void it('tag changes alone count as a change', () => {
    const p = project('tags');
    json(p.backendConfig, {});
    json(p.tags, [{ Key: 'a', Value: '1' }]);
    json(p.currentTags, [{ Key: 'a', Value: '2' }]);
    const status = computeResourceStatus(openProject(p.root));
    assert.equal(status.tagsUpdated, true);
    assert.equal(status.changed, true);
  });

  void it('folderHash covers names and contents, not build/ or dot-files', () => {
    const dir = join(work, 'hash', 'res');
    json(join(dir, 'a.json'), { a: 1 });
    const h1 = folderHash(dir);
    json(join(dir, 'build', 'x.json'), {});
    json(join(dir, '.x'), {});
    assert.equal(folderHash(dir), h1);
    json(join(dir, 'a.json'), { a: 2 });
    assert.notEqual(folderHash(dir), h1);
    assert.equal(folderHash(join(work, 'missing')), undefined);
  });
});
