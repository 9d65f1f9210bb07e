import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Deployment, DeploymentStackTemplate, Template } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import { readChangeSet, type ChangeSetRecord } from './control-store.js';
import { STACK_TYPE } from './evaluate-intrinsics.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Deeper than the engine lets stacks nest (stack-graph.ts): a guard, not a limit a valid push meets. */
const MAX_DEPTH = 16;

/** One stack of a change set: '' is the root stack, a nested one is its `Forte::Stack`'s qualified logical id. */
export interface StackTemplate {
  stackId: string;
  templateUrl: string | undefined;
  sourceFile: string | undefined;
  template: Template;
}

/** The stacks a change set deploys: the root template and, depth first, each nested template its `Forte::Stack`s name. */
export function stacksOf(cs: Pick<ChangeSetRecord, 'template' | 'nestedTemplates' | 'nestedTemplateFiles'>): StackTemplate[] {
  const stacks: StackTemplate[] = [{ stackId: '', templateUrl: undefined, sourceFile: undefined, template: cs.template }];
  const visit = (template: Template, prefix: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const url = resource.Type === STACK_TYPE ? resource.Properties?.['TemplateURL'] : undefined;
      if (typeof url !== 'string' || !Object.hasOwn(cs.nestedTemplates, url)) continue;
      const nested = cs.nestedTemplates[url];
      if (!nested) continue;
      const stackId = `${prefix}${logicalId}`;
      const file = Object.hasOwn(cs.nestedTemplateFiles, url) ? cs.nestedTemplateFiles[url] : undefined;
      stacks.push({ stackId, templateUrl: url, sourceFile: file, template: nested });
      visit(nested, `${stackId}.`, depth + 1);
    }
  };
  visit(cs.template, '', 0);
  return stacks;
}

/** A change set's stacks made ready to store: each template's content hash and gzipped JSON. */
export interface PreparedStacks {
  stacks: (Omit<StackTemplate, 'template'> & { hash: string })[];
  bodies: Map<string, Buffer>;
}

/** Hashes and compresses a change set's templates (zlib's threads, off the event loop), before the transaction that stores them. */
export async function prepareStacks(cs: Pick<ChangeSetRecord, 'template' | 'nestedTemplates' | 'nestedTemplateFiles'>): Promise<PreparedStacks> {
  const bodies = new Map<string, Buffer>();
  const stacks: PreparedStacks['stacks'] = [];
  for (const { template, ...stack } of stacksOf(cs)) {
    const json = JSON.stringify(template);
    const hash = createHash('sha256').update(json).digest('hex');
    if (!bodies.has(hash)) bodies.set(hash, await gzipAsync(json));
    stacks.push({ ...stack, hash });
  }
  return { stacks, bodies };
}

/** Records which templates a deployment deploys; a template body already kept (same content) is not stored again. */
export async function recordDeploymentStacks(sql: SqlStore, deploymentId: string, prepared: PreparedStacks): Promise<void> {
  for (const [hash, body] of prepared.bodies) {
    await sql.run('INSERT INTO control_templates (template_hash, body) VALUES (?, ?) ON CONFLICT (template_hash) DO NOTHING', [hash, body]);
  }
  for (const s of prepared.stacks) {
    await sql.run('INSERT INTO control_deployment_stacks (deployment_id, stack_id, template_url, source_file, template_hash) VALUES (?, ?, ?, ?, ?)', [
      deploymentId,
      s.stackId,
      s.templateUrl ?? null,
      s.sourceFile ?? null,
      s.hash,
    ]);
  }
}

/**
 * The templates a deployment deployed: those recorded when it started, else (a deployment from before the
 * cloud recorded them) its change set's while the change set is kept. None for an environment's deletion.
 */
export async function readDeploymentStacks(sql: SqlStore, deployment: Deployment): Promise<StackTemplate[]> {
  const rows = await sql.all<{ stack_id: string; template_url: string | null; source_file: string | null; body: Uint8Array }>(
    `SELECT s.stack_id, s.template_url, s.source_file, t.body FROM control_deployment_stacks s
     JOIN control_templates t ON t.template_hash = s.template_hash WHERE s.deployment_id = ? ORDER BY s.stack_id`,
    [deployment.deploymentId],
  );
  if (rows.length > 0) {
    return Promise.all(
      rows.map(async (row) => ({
        stackId: String(row.stack_id),
        templateUrl: row.template_url ?? undefined,
        sourceFile: row.source_file ?? undefined,
        template: JSON.parse((await gunzipAsync(row.body)).toString('utf8')) as Template,
      })),
    );
  }
  if (deployment.kind !== 'deploy' || !deployment.changeSetId) return [];
  const cs = await readChangeSet(sql, deployment.changeSetId);
  return cs ? stacksOf(cs) : [];
}

/** The stacks as `GetDeploymentTemplates` answers them: the root named by the environment's stack name. */
export function publicStacks(stacks: StackTemplate[], rootStackName: string): DeploymentStackTemplate[] {
  return stacks.map((s) => ({
    stack: s.stackId === '' ? rootStackName : s.stackId,
    nested: s.stackId !== '',
    ...(s.templateUrl === undefined ? {} : { templateUrl: s.templateUrl }),
    ...(s.sourceFile === undefined ? {} : { sourceFile: s.sourceFile }),
    template: s.template,
  }));
}
