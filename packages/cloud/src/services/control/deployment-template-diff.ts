import { diffTemplateResources, diffTemplates, type Deployment, type StackTemplateDiff } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import { readDeployment } from './control-store.js';
import type { StackTemplate } from './deployment-templates.js';

/**
 * The deployment whose templates were running when `deployment` started: the environment's last successful
 * one before it. None for the first, or when that was the environment's deletion (a new environment of the
 * same name starts from nothing).
 */
export async function baseDeploymentOf(sql: SqlStore, deployment: Deployment): Promise<Deployment | undefined> {
  const row = await sql.get<{ deployment_id: string; kind: string }>(
    `SELECT deployment_id, kind FROM control_deployments
     WHERE app_id = ? AND env_name = ? AND status = 'SUCCEEDED' AND (started_at < ? OR (started_at = ? AND deployment_id < ?))
     ORDER BY started_at DESC, deployment_id DESC LIMIT 1`,
    [deployment.appId, deployment.envName, deployment.startedAt, deployment.startedAt, deployment.deploymentId],
  );
  return row && row.kind === 'deploy' ? readDeployment(sql, String(row.deployment_id)) : undefined;
}

/** Per stack that differs between two deployments' templates: its changed resources and the lines of the diff. */
export function diffStacks(before: StackTemplate[], after: StackTemplate[], rootStackName: string): StackTemplateDiff[] {
  const old = new Map(before.map((s) => [s.stackId, s]));
  const now = new Map(after.map((s) => [s.stackId, s]));
  const ids = [...new Set([...after.map((s) => s.stackId), ...before.map((s) => s.stackId)])];
  const diffs: StackTemplateDiff[] = [];
  for (const id of ids) {
    const a = old.get(id);
    const b = now.get(id);
    const lines = diffTemplates(a?.template, b?.template);
    if (lines.length === 0) continue;
    const sourceFile = b?.sourceFile ?? a?.sourceFile;
    diffs.push({
      stack: id === '' ? rootStackName : id,
      nested: id !== '',
      ...(sourceFile === undefined ? {} : { sourceFile }),
      change: !a ? 'added' : !b ? 'removed' : 'changed',
      resources: diffTemplateResources(a?.template, b?.template),
      lines,
    });
  }
  return diffs;
}
