import { useEffect, useState } from 'react';
import type { ChangeSet, Deployment, StackEvent } from '@forte/protocol';
import { control } from '../api.js';
import { ErrorNote, Loading, Status, ListTable, When } from '../parts.js';
import { RollbackSummary } from './rollback-summary.js';
import { TemplateDiffView } from './template-diff-view.js';

const POLL_MS = 1000;
const running = (d: Deployment | undefined): boolean => d?.status === 'IN_PROGRESS' || d?.status === 'ROLLING_BACK';

/** One deployment: who started it and how it ended, and its events, followed live while it runs. */
export function DeploymentPage({ appId, envName, deploymentId }: { appId: string; envName: string; deploymentId: string }) {
  const [deployment, setDeployment] = useState<Deployment>();
  const [events, setEvents] = useState<StackEvent[]>([]);
  const [error, setError] = useState<Error>();
  const [changeSet, setChangeSet] = useState<ChangeSet>();
  const changeSetId = deployment?.changeSetId;

  // What the push changed: its change set, as planned and approved.
  useEffect(() => {
    setChangeSet(undefined);
    if (!changeSetId) return;
    let current = true;
    control('DescribeChangeSet', { changeSetId }).then(
      (answer) => current && setChangeSet(answer.changeSet),
      (failure: unknown) => current && setError(failure as Error),
    );
    return () => {
      current = false;
    };
  }, [changeSetId]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let afterSeq = 0;
    setEvents([]);
    const poll = async (): Promise<void> => {
      try {
        const { deployment: d } = await control('GetDeployment', { deploymentId });
        // Events after the last one seen; the deployment is read first, so no event of a finished one is missed.
        for (;;) {
          const page = await control('DescribeStackEvents', { appId, envName, deploymentId, afterSeq });
          if (stopped) return;
          if (page.events.length > 0) {
            afterSeq = page.events[page.events.length - 1]!.seq;
            setEvents((seen) => [...seen, ...page.events]);
          }
          if (page.events.length < 1000) break;
        }
        setDeployment(d);
        if (running(d)) timer = setTimeout(() => void poll(), POLL_MS);
      } catch (failure) {
        if (!stopped) setError(failure as Error);
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [appId, envName, deploymentId]);

  return (
    <>
      <h1>Deployment</h1>
      <ErrorNote error={error} />
      {deployment ? (
        <dl className="facts">
          <dt>Id</dt>
          <dd>
            <code>{deployment.deploymentId}</code>
          </dd>
          <dt>What</dt>
          <dd>{deployment.kind === 'delete' ? `delete environment ${envName}` : `push to ${envName}`}</dd>
          <dt>By</dt>
          <dd>
            {deployment.initiatedBy}
            {deployment.principal ? (
              <span className="muted">
                {' '}
                (signed by <code>{deployment.principal}</code>)
              </span>
            ) : null}
          </dd>
          <dt>Status</dt>
          <dd>
            <Status value={deployment.status} />
            {running(deployment) ? <span className="muted"> (following live)</span> : null}
          </dd>
          <dt>Started</dt>
          <dd>
            <When iso={deployment.startedAt} />
          </dd>
          <dt>Ended</dt>
          <dd>
            <When iso={deployment.endedAt} />
          </dd>
          {deployment.error ? (
            <>
              <dt>Error</dt>
              <dd className="error">{deployment.error}</dd>
            </>
          ) : null}
        </dl>
      ) : error ? null : (
        <Loading what="the deployment" />
      )}
      {deployment ? <RollbackSummary deployment={deployment} events={events} /> : null}
      {changeSet ? (
        <>
          <h2>Changes</h2>
          {changeSet.changes.length === 0 ? <p>No resource changed.</p> : null}
          {changeSet.changes.length > 0 ? (
            <ListTable label="Changes" columns={['Resource', 'Type', 'Change', 'Why']}>
              {changeSet.changes.map((c) => (
                <tr key={c.logicalId}>
                  <td>
                    <code>{c.logicalId}</code>
                  </td>
                  <td>{c.resourceType}</td>
                  <td>{c.action}</td>
                  <td className="wrap">
                    {c.reasons.join('; ')}
                    {c.destroysData ? ` (deleted ${c.destroysData.count} ${c.destroysData.kind})` : ''}
                  </td>
                </tr>
              ))}
            </ListTable>
          ) : null}
        </>
      ) : null}
      {deployment ? <TemplateDiffView appId={appId} envName={envName} deploymentId={deployment.deploymentId} /> : null}
      <h2>Events</h2>
      {deployment && events.length === 0 ? <p>No events.</p> : null}
      {events.length > 0 ? (
        <ListTable label="Events" columns={['Time', 'Resource', 'Type', 'Status', 'Reason']} live>
          {events.map((e) => (
            <tr key={e.seq}>
              <td>
                <When iso={e.timestamp} />
              </td>
              <td>
                <code>{e.logicalId}</code>
              </td>
              <td>{e.resourceType}</td>
              <td>{e.status}</td>
              <td className="wrap">{e.reason ?? ''}</td>
            </tr>
          ))}
        </ListTable>
      ) : null}
    </>
  );
}
