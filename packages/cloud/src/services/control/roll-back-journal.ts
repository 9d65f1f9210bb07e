import { readJournal, type JournalRecord } from './control-store.js';
import { emitEvent, journal, messageOf, resourceContextFor, withRetries, type DeploymentTarget, type EngineContext } from './engine-context.js';

/**
 * Undoes what the journal says a deployment did, newest first: resources it created are deleted,
 * resources it updated are updated back to their old properties (also when the update failed or was cut
 * off, since it may have half-happened). Each step is retried; steps done by an earlier, interrupted
 * rollback are skipped. Answers the steps that still failed, each naming the resource.
 */
export async function rollBackJournal(engine: EngineContext, target: DeploymentTarget): Promise<string[]> {
  const rows = await readJournal(engine.sql, target.deploymentId);
  const undone = new Set(rows.filter((r) => r.operation === 'rollback' && r.phase === 'done').map((r) => String(r.detail['step'])));
  const outcome = (started: JournalRecord): JournalRecord | undefined =>
    rows.find((r) => r.seq > started.seq && r.logicalId === started.logicalId && r.operation === started.operation && r.phase !== 'started');
  const problems: string[] = [];
  const started = rows.filter((r) => r.phase === 'started' && (r.operation === 'create' || r.operation === 'update')).reverse();
  for (const row of started) {
    const step = `${row.operation}#${row.seq}`;
    if (undone.has(step)) continue;
    const end = outcome(row);
    const handler = engine.handlerFor(row.resourceType);
    const props = (row.detail['props'] ?? {}) as Record<string, unknown>;
    const ctx = resourceContextFor(engine, target, row.logicalId);
    if (row.operation === 'create') {
      if (end?.phase === 'failed') continue; // the handler reported failure: it made nothing to delete
      if (!end) {
        // The create was cut off by a restart, so its id was never recorded. Create is idempotent (it
        // adopts what exists), so running it again answers the id; the resource, whether or not the first
        // create had made it, is then deleted.
        await runStep(engine, target, row, step, 'DELETE', problems, 'could not be deleted', async () => {
          if (!handler) throw new Error(`no service provides ${row.resourceType}`);
          const adopted = await handler.create(props, ctx);
          await handler.delete(adopted.physicalId, props, ctx);
        });
        continue;
      }
      const physicalId = end.physicalId ?? '';
      await runStep(engine, target, row, step, 'DELETE', problems, `could not be deleted`, async () => {
        if (!handler) throw new Error(`no service provides ${row.resourceType}`);
        await handler.delete(physicalId, props, ctx);
      });
    } else {
      if (end?.phase === 'done' && end.detail['replace'] === true) continue; // nothing was changed in place
      const oldProps = (row.detail['oldProps'] ?? {}) as Record<string, unknown>;
      const physicalId = row.physicalId ?? '';
      await runStep(engine, target, row, step, 'UPDATE', problems, 'could not be restored to its previous properties', async () => {
        if (!handler) throw new Error(`no service provides ${row.resourceType}`);
        const result = await handler.update(physicalId, oldProps, props, ctx);
        if (result === 'replace') throw new Error('the handler cannot restore it in place');
      });
    }
  }
  return problems;
}

async function runStep(
  engine: EngineContext,
  target: DeploymentTarget,
  row: JournalRecord,
  step: string,
  verb: 'DELETE' | 'UPDATE',
  problems: string[],
  failureText: string,
  action: () => Promise<void>,
): Promise<void> {
  const entry = { logicalId: row.logicalId, resourceType: row.resourceType, operation: 'rollback' as const, physicalId: row.physicalId };
  await emitEvent(engine, target, row.logicalId, row.resourceType, `${verb}_IN_PROGRESS`, 'rollback');
  await journal(engine, target, { ...entry, phase: 'started', detail: { step } });
  const error = await withRetries(engine.retryDelaysMs, action);
  if (error === undefined) {
    await journal(engine, target, { ...entry, phase: 'done', detail: { step } });
    await emitEvent(engine, target, row.logicalId, row.resourceType, `${verb}_COMPLETE`, 'rollback');
    return;
  }
  await journal(engine, target, { ...entry, phase: 'failed', detail: { step, message: messageOf(error) } });
  await emitEvent(engine, target, row.logicalId, row.resourceType, `${verb}_FAILED`, `rollback: ${messageOf(error)}`);
  engine.log.error('rollback step failed', { deploymentId: target.deploymentId, logicalId: row.logicalId, error });
  problems.push(`${row.logicalId} (${row.resourceType}) ${failureText}: ${messageOf(error)}`);
}
