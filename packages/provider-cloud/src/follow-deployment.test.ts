import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControlOperation, ControlOperations, Deployment, StackEvent } from '@forte/protocol';
import type { ControlClient } from './control-client.js';
import { followDeployment } from './follow-deployment.js';

/**
 * A cloud's deployment as the follower polls it: `steps[i]` is what the i-th GetDeployment answers (its status, and
 * the events written by then); the last step stays.
 */
function scripted(kind: Deployment['kind'], steps: { status: Deployment['status']; events: string[] }[]): ControlClient {
  let step = 0;
  const deployment = (status: Deployment['status']): Deployment => ({
    deploymentId: 'd1',
    appId: 'a1',
    envName: 'dev',
    kind,
    status,
    initiatedBy: 'test',
    startedAt: '2026-12-07T00:00:00.000Z',
  });
  const event = (status: string, seq: number): StackEvent => ({
    seq,
    deploymentId: 'd1',
    timestamp: '2026-12-07T00:00:00.000Z',
    logicalId: status.startsWith('DELETE') ? 'OldTable' : 'root',
    resourceType: 'Forte::Stack',
    status,
  });
  const call = (operation: ControlOperation, input: unknown): unknown => {
    const now = steps[Math.min(step, steps.length - 1)]!;
    if (operation === 'GetDeployment') {
      step++;
      return { deployment: deployment(steps[Math.min(step, steps.length - 1)]!.status) };
    }
    assert.equal(operation, 'DescribeStackEvents');
    const afterSeq = (input as { afterSeq: number }).afterSeq;
    return { events: now.events.map((status, i) => event(status, i + 1)).filter((e) => e.seq > afterSeq) };
  };
  return {
    call: <Op extends ControlOperation>(operation: Op, input: ControlOperations[Op]['input']) =>
      Promise.resolve(call(operation, input) as ControlOperations[Op]['output']),
  };
}

const started = { deploymentId: 'd1', appId: 'a1', envName: 'dev', kind: 'deploy', status: 'IN_PROGRESS', initiatedBy: 'test', startedAt: '' } as const;

void describe('following a deployment', () => {
  void it('waits past SUCCEEDED for the clean-up and DEPLOYMENT_COMPLETE, printing each event once and in order', async () => {
    const running = ['DEPLOYMENT_IN_PROGRESS', 'CREATE_COMPLETE'];
    const control = scripted('deploy', [
      { status: 'IN_PROGRESS', events: running },
      // The deployment stands before the engine deletes what the push removed.
      { status: 'SUCCEEDED', events: running },
      { status: 'SUCCEEDED', events: running },
      { status: 'SUCCEEDED', events: [...running, 'CLEANUP_IN_PROGRESS', 'DELETE_IN_PROGRESS'] },
      { status: 'SUCCEEDED', events: [...running, 'CLEANUP_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE', 'DEPLOYMENT_COMPLETE'] },
    ]);
    const printed: string[] = [];
    const { deployment, events } = await followDeployment(control, started, (e) => printed.push(e.status), { pollMs: 1 });
    assert.equal(deployment.status, 'SUCCEEDED');
    const all = ['DEPLOYMENT_IN_PROGRESS', 'CREATE_COMPLETE', 'CLEANUP_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE', 'DEPLOYMENT_COMPLETE'];
    assert.deepEqual(printed, all);
    assert.deepEqual(
      events.map((e) => e.status),
      all,
    );
  });

  void it('stops waiting for the last event after a quiet spell: the deployment stands', async () => {
    const control = scripted('deploy', [{ status: 'SUCCEEDED', events: ['DEPLOYMENT_IN_PROGRESS', 'CREATE_COMPLETE'] }]);
    const begun = Date.now();
    const { deployment, events } = await followDeployment(control, started, () => undefined, { pollMs: 5, completionWaitMs: 150 });
    assert.equal(deployment.status, 'SUCCEEDED');
    assert.equal(events.length, 2);
    assert.ok(Date.now() - begun >= 150, 'it waited for the last event');
  });

  void it('does not wait after a rollback, or for a deletion', async () => {
    const rolledBack = scripted('deploy', [{ status: 'ROLLED_BACK', events: ['DEPLOYMENT_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE'] }]);
    const a = await followDeployment(rolledBack, started, () => undefined, { pollMs: 1, completionWaitMs: 60_000 });
    assert.equal(a.deployment.status, 'ROLLED_BACK');
    const deletion = scripted('delete', [{ status: 'SUCCEEDED', events: ['DELETE_IN_PROGRESS', 'DELETE_COMPLETE'] }]);
    const b = await followDeployment(deletion, { ...started, kind: 'delete' }, () => undefined, { pollMs: 1, completionWaitMs: 60_000 });
    assert.equal(b.deployment.status, 'SUCCEEDED');
  });
});
