import type { Deployment, StackEvent } from '@forte/protocol';
import type { ControlClient } from './control-client.js';

const POLL_MS = 100;
const TERMINAL = new Set<Deployment['status']>(['SUCCEEDED', 'ROLLED_BACK', 'FAILED']);

/** Polls a deployment's events (about every 100 ms) until it ends; returns the final deployment. */
export async function followDeployment(
  control: ControlClient,
  deployment: Deployment,
  onEvent: (event: StackEvent) => void,
): Promise<{ deployment: Deployment; events: StackEvent[] }> {
  let afterSeq = 0;
  const all: StackEvent[] = [];
  let current = deployment;
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
    // Check the status only after draining events, so the last events are printed before returning.
    if (TERMINAL.has(current.status) && events.length === 0) return { deployment: current, events: all };
    if (events.length === 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    current = (await control.call('GetDeployment', { deploymentId: deployment.deploymentId })).deployment;
  }
}

/** "<logical id>: <reason>" of the first failed resource, else the deployment's own error. */
export function failureOf(deployment: Deployment, events: StackEvent[]): string {
  const failed = events.find((e) => e.status.endsWith('_FAILED') && e.reason);
  if (failed) return `${failed.logicalId} (${failed.resourceType}): ${failed.reason ?? 'failed'}`;
  return deployment.error ?? `deployment ${deployment.deploymentId} ended ${deployment.status}`;
}
