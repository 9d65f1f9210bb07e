import { readJournal, type JournalRecord } from './control-store.js';
import { emitEvent, journal, messageOf, resourceContextFor, withRetries, type DeploymentTarget, type EngineContext } from './engine-context.js';
import { noEchoMask } from './no-echo-parameters.js';
import { createPropertiesContext, deployedPropertiesContext, hiddenValues, openProperties } from './sealed-properties.js';

/**
 * Undoes what the journal says a deployment did, newest first: resources it created are deleted,
 * resources it updated are updated back to their old properties (also when the update failed or was cut
 * off, since it may have half-happened). Each step is retried; steps done by an earlier, interrupted
 * rollback are skipped. Handlers get the properties unmasked: the journal's sealed copies are opened
 * (sealed-properties.ts), so a NoEcho value is restored rather than its mask written, and the values are
 * masked again in failure messages. Answers the steps that still failed, each naming the resource.
 */
export async function rollBackJournal(engine: EngineContext, target: DeploymentTarget): Promise<string[]> {
  const rows = await readJournal(engine.sql, target.deploymentId);
  const undone = new Set(rows.filter((r) => r.operation === 'rollback' && r.phase === 'done').map((r) => String(r.detail['step'])));
  const outcome = (started: JournalRecord): JournalRecord | undefined =>
    rows.find((r) => r.seq > started.seq && r.logicalId === started.logicalId && r.operation === started.operation && r.phase !== 'started');
  const problems: string[] = [];
  const started = rows.filter((r) => r.phase === 'started' && (r.operation === 'create' || r.operation === 'update')).reverse();
  for (const row of started) {
    const stepName = `${row.operation}#${row.seq}`;
    if (undone.has(stepName)) continue;
    const end = outcome(row);
    const handler = engine.handlerFor(row.resourceType);
    const maskedProps = (row.detail['props'] ?? {}) as Record<string, unknown>;
    /** The NoEcho values the opened properties hold, kept out of the step's messages. */
    const hidden = new Set<string>();
    const unmasked = (context: string, sealed: unknown, masked: Record<string, unknown>): Record<string, unknown> => {
      const props = openProperties(engine.secrets, context, sealed, masked);
      hiddenValues(props, masked, hidden);
      return props;
    };
    const createProps = (): Record<string, unknown> =>
      unmasked(createPropertiesContext(target.deploymentId, row.logicalId), row.detail['sealedProps'], maskedProps);
    const step = { row, name: stepName, problems, mask: (text: string) => noEchoMask([...hidden], undefined)(text) };
    const ctx = resourceContextFor(engine, target, row.logicalId);
    if (row.operation === 'create') {
      if (end?.phase === 'failed') continue; // the handler reported failure: it made nothing to delete
      if (!end) {
        // The create was cut off by a restart, so its id was never recorded. Create is idempotent (it
        // adopts what exists), so running it again answers the id; the resource, whether or not the first
        // create had made it, is then deleted.
        await runStep(engine, target, step, 'DELETE', 'could not be deleted', async () => {
          if (!handler) throw new Error(`no service provides ${row.resourceType}`);
          const props = createProps();
          const adopted = await handler.create(props, ctx);
          await handler.delete(adopted.physicalId, props, ctx);
        });
        continue;
      }
      const physicalId = end.physicalId ?? '';
      await runStep(engine, target, step, 'DELETE', `could not be deleted`, async () => {
        if (!handler) throw new Error(`no service provides ${row.resourceType}`);
        await handler.delete(physicalId, createProps(), ctx);
      });
    } else {
      if (end?.phase === 'done' && end.detail['replace'] === true) continue; // nothing was changed in place
      const maskedOld = (row.detail['oldProps'] ?? {}) as Record<string, unknown>;
      const physicalId = row.physicalId ?? '';
      await runStep(engine, target, step, 'UPDATE', 'could not be restored to its previous properties', async () => {
        if (!handler) throw new Error(`no service provides ${row.resourceType}`);
        const context = deployedPropertiesContext(target.appId, target.envName, row.logicalId, physicalId);
        const oldProps = unmasked(context, row.detail['sealedOldProps'], maskedOld);
        const result = await handler.update(physicalId, oldProps, maskedProps, ctx);
        if (result === 'replace') throw new Error('the handler cannot restore it in place');
      });
    }
  }
  return problems;
}

async function runStep(
  engine: EngineContext,
  target: DeploymentTarget,
  step: { row: JournalRecord; name: string; problems: string[]; mask: (text: string) => string },
  verb: 'DELETE' | 'UPDATE',
  failureText: string,
  action: () => Promise<void>,
): Promise<void> {
  const { row, problems } = step;
  const entry = { logicalId: row.logicalId, resourceType: row.resourceType, operation: 'rollback' as const, physicalId: row.physicalId };
  await emitEvent(engine, target, row.logicalId, row.resourceType, `${verb}_IN_PROGRESS`, 'rollback');
  await journal(engine, target, { ...entry, phase: 'started', detail: { step: step.name } });
  const error = await withRetries(engine.retryDelaysMs, action);
  if (error === undefined) {
    await journal(engine, target, { ...entry, phase: 'done', detail: { step: step.name } });
    await emitEvent(engine, target, row.logicalId, row.resourceType, `${verb}_COMPLETE`, 'rollback');
    return;
  }
  const message = step.mask(messageOf(error));
  await journal(engine, target, { ...entry, phase: 'failed', detail: { step: step.name, message } });
  await emitEvent(engine, target, row.logicalId, row.resourceType, `${verb}_FAILED`, `rollback: ${message}`);
  engine.log.error('rollback step failed', { deploymentId: target.deploymentId, logicalId: row.logicalId, error: message });
  problems.push(`${row.logicalId} (${row.resourceType}) ${failureText}: ${message}`);
}
