import type { Deployment, StackEvent } from '@forte/protocol';
import { ListTable } from '../parts.js';

/** A rollback step's event: the engine marks them with the reason `rollback` (or `rollback: <error>`). */
const isRollbackStep = (e: StackEvent): boolean => e.reason === 'rollback' || (e.reason?.startsWith('rollback: ') ?? false);

/**
 * How a failed push ended: whether the environment is back as it was, why it failed (the failing resource
 * and its error), and each resource the rollback deleted or restored, with the outcome.
 */
export function RollbackSummary({ deployment, events }: { deployment: Deployment; events: StackEvent[] }) {
  if (deployment.kind !== 'deploy' || !['ROLLED_BACK', 'FAILED', 'ROLLING_BACK'].includes(deployment.status)) return null;
  const failures = events.filter((e) => e.status.endsWith('_FAILED') && e.resourceType !== 'Forte::Stack' && !isRollbackStep(e));
  const steps = events.filter((e) => isRollbackStep(e) && !e.status.endsWith('_IN_PROGRESS'));
  const headline =
    deployment.status === 'ROLLED_BACK'
      ? 'This push failed and was rolled back: the environment runs what it ran before.'
      : deployment.status === 'ROLLING_BACK'
        ? 'This push failed and is being rolled back.'
        : 'This push failed and its rollback did not finish: the resources named below may need attention.';
  return (
    <section className="card notice rollback" aria-labelledby="rollback-title">
      <h2 id="rollback-title">Rollback</h2>
      <p>
        <strong>{headline}</strong>
      </p>
      {failures.length > 0 ? (
        <ul>
          {failures.map((e) => (
            <li key={e.seq}>
              <code>{e.logicalId}</code> {e.status}: <span className="error">{e.reason ?? 'no reason given'}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {steps.length > 0 ? (
        <ListTable label="Rolled back resources" columns={['Resource', 'Type', 'Rollback', 'Outcome']}>
          {steps.map((e) => (
            <tr key={e.seq}>
              <td>
                <code>{e.logicalId}</code>
              </td>
              <td>{e.resourceType}</td>
              <td>{e.status.startsWith('DELETE') ? 'created by this push: deleted' : 'restored to its previous properties'}</td>
              <td className="wrap">{e.status.endsWith('_FAILED') ? <span className="error">{e.reason}</span> : 'done'}</td>
            </tr>
          ))}
        </ListTable>
      ) : deployment.status === 'ROLLING_BACK' ? null : (
        <p className="muted">Nothing had changed yet: the rollback had nothing to undo.</p>
      )}
    </section>
  );
}
