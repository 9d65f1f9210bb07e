/**
 * The root stack's wiring of the real projects' function templates (../shared/corpus/gen1-projects): every
 * parameter each template declares gets a value as Amplify's formNestedStack gives it. Fails in CI when the
 * corpus is missing.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isUserError, type PushResource } from '@forte/protocol';
import { sharedReference } from '@forte/protocol/shared-reference';
import { buildRootTemplate, rootNames } from './root-template.js';

const shared = sharedReference('the Gen 1 project corpus', ['corpus/gen1-projects']);
const corpus = shared.dir === undefined ? '' : join(shared.dir, 'corpus/gen1-projects');
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));
const names = rootNames('amplify-corpus-main-12345');

/** Every resource of a corpus project as the CLI hands it to the provider: functions with their real template. */
function resourcesOf(project: string): PushResource[] {
  const backend = join(corpus, project, '_snapshot.pre.generate/amplify/backend');
  const config = readJson(join(backend, 'backend-config.json'));
  const tpi = readJson(join(backend, '../team-provider-info.json'));
  const out: PushResource[] = [];
  for (const [category, resources] of Object.entries<Record<string, any>>(config)) {
    if (category === 'parameters') continue;
    for (const [resourceName, entry] of Object.entries<any>(resources)) {
      const dir = join(backend, category, resourceName);
      const templateFile = join(dir, `${resourceName}-cloudformation-template.json`);
      const isFunction = category === 'function' && existsSync(templateFile);
      out.push({
        category,
        resourceName,
        template: isFunction ? readJson(templateFile) : { Resources: {} },
        parameters: isFunction && existsSync(join(dir, 'parameters.json')) ? readJson(join(dir, 'parameters.json')) : {},
        environmentParameters: tpi.main.categories?.[category]?.[resourceName] ?? {},
        dependsOn: entry.dependsOn ?? [],
      });
    }
  }
  return out;
}

void describe("the corpus's function templates wired into the root stack", { skip: shared.skip }, () => {
  const projects = corpus === '' ? [] : readdirSync(corpus).filter((p) => existsSync(join(corpus, p, '_snapshot.pre.generate/amplify/backend/function')));

  void it('gives every declared parameter a value: env, the env values, the own bucket, the secrets app id, each dependsOn output', () => {
    assert.ok(projects.length >= 6, `corpus projects with functions: ${projects.join(', ')}`);
    for (const project of projects) {
      const resources = resourcesOf(project);
      const root = buildRootTemplate({ names, appId: 'forteapp', envName: 'main', resources });
      for (const fn of resources.filter((r) => r.category === 'function')) {
        const passed = root.Resources[`function${fn.resourceName}`]?.Properties?.['Parameters'] as Record<string, unknown>;
        assert.equal(passed['env'], 'main', `${project} ${fn.resourceName}`);
        assert.equal(passed['deploymentBucketName'], names.deploymentBucketName, `${project} ${fn.resourceName}: not the AWS bucket of team-provider-info`);
        for (const dep of fn.dependsOn ?? [])
          for (const attr of dep.attributes)
            assert.deepEqual(passed[`${dep.category}${dep.resourceName}${attr}`], {
              'Fn::GetAtt': [`${dep.category}${dep.resourceName}`, `Outputs.${attr}`],
            });
      }
    }
    const catalog = buildRootTemplate({ names, appId: 'forteapp', envName: 'main', resources: resourcesOf('product-catalog') });
    const low = catalog.Resources['functionlowstockproducts']?.Properties?.['Parameters'] as Record<string, unknown>;
    assert.equal(low['lowStockThreshold'], '5', "the user env var's value of team-provider-info.json");
    assert.equal(low['secretsPathAmplifyAppId'], 'forteapp', 'the secrets path names this app, not the AWS app of the file');
  });

  void it('refuses a push whose env var has no value in team-provider-info.json, naming it', () => {
    const resources = resourcesOf('product-catalog').map((r) =>
      r.resourceName === 'lowstockproducts' ? { ...r, environmentParameters: { ...r.environmentParameters, lowStockThreshold: undefined } } : r,
    );
    assert.throws(
      () => buildRootTemplate({ names, appId: 'forteapp', envName: 'main', resources }),
      (e: unknown) => isUserError(e) && /lowStockThreshold of function lowstockproducts/.test(e.message) && !/S3Trigger/.test(e.message),
    );
  });
});
