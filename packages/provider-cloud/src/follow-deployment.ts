import type { Deployment, StackEvent } from '@forte/protocol';
import type { ControlClient } from './control-client.js';

const POLL_MS = 100;
const TERMINAL = new Set<Deployment['status']>(['SUCCEEDED', 'ROLLED_BACK', 'FAILED']);
/** How long a deployment that stands may go without an event before the follower stops waiting for its last one. */
const COMPLETION_WAIT_MS = 30_000;

/**
 * Polls a deployment's events (about every 100 ms) until it ends; returns the final deployment. A deployment
 * stands (SUCCEEDED) before the engine has deleted what the push removed: as a CloudFormation waiter waits through
 * UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, the follower waits for its last event (DEPLOYMENT_COMPLETE), so the push
 * prints the deletions and returns after them; it stops waiting after `completionWaitMs` without an event (the
 * deployment stands whatever becomes of the clean-up, which the engine retries before the next deployment).
 */
export async function followDeployment(
  control: ControlClient,
  deployment: Deployment,
  onEvent: (event: StackEvent) => void,
  options: { pollMs?: number; completionWaitMs?: number } = {},
): Promise<{ deployment: Deployment; events: StackEvent[] }> {
  const pollMs = options.pollMs ?? POLL_MS;
  const completionWaitMs = options.completionWaitMs ?? COMPLETION_WAIT_MS;
  let afterSeq = 0;
  const all: StackEvent[] = [];
  let current = deployment;
  let quietSince = Date.now();
  const finished = (): boolean =>
    current.status !== 'SUCCEEDED' ||
    current.kind !== 'deploy' ||
    all.some((e) => e.status === 'DEPLOYMENT_COMPLETE') ||
    Date.now() - quietSince >= completionWaitMs;
  for (;;) {
    const { events } = await control.call('DescribeStackEvents', {
      appId: deployment.appId,
      envName: deployment.envName,
      deploymentId: deployment.deploymentId,
      afterSeq,
    });
    for (const event of events) {
      afterSeq = Math.max(afterSeq, event.seq);
      all.push(event);
      onEvent(event);
    }
    if (events.length > 0) quietSince = Date.now();
    // Check the status only after draining events, so the last events are printed before returning.
    if (TERMINAL.has(current.status) && events.length === 0 && finished()) return { deployment: current, events: all };
    if (events.length === 0) await new Promise((resolve) => setTimeout(resolve, pollMs));
    const was = current.status;
    current = (await control.call('GetDeployment', { deploymentId: deployment.deploymentId })).deployment;
    // The wait for the last event counts from when the deployment was seen to stand, or from its latest event.
    if (current.status !== was) quietSince = Date.now();
  }
}

/** "<logical id>: <reason>" of the first failed resource, else the deployment's own error. */
export function failureOf(deployment: Deployment, events: StackEvent[]): string {
  const failed = events.find((e) => e.status.endsWith('_FAILED') && e.reason);
  if (failed) return `${failed.logicalId} (${failed.resourceType}): ${failed.reason ?? 'failed'}`;
  return deployment.error ?? `deployment ${deployment.deploymentId} ended ${deployment.status}`;
}
