import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CONTROL_PATH,
  CONTROL_TARGET_PREFIX,
  SIGNING_SERVICE,
  controlApi,
  type ControlOperation,
  type ControlOperations,
  type Deployment,
  type Template,
} from '@forte/protocol';
import type { TestCloud } from './start-test-cloud.js';

/** Calls the control API signed with the admin keys, as the CLI does; answers are checked against the contract. */
export function controlClient(cloud: TestCloud) {
  const base = new URL(cloud.url);
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region: cloud.credentials.region,
    credentials: cloud.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const call = async <O extends ControlOperation>(operation: O, input: ControlOperations[O]['input']): Promise<ControlOperations[O]['output']> => {
    const body = JSON.stringify(input);
    const headers = { host: base.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${CONTROL_TARGET_PREFIX}${operation}` };
    const signed = await signer.sign({
      method: 'POST',
      protocol: base.protocol,
      hostname: base.hostname,
      port: Number(base.port),
      path: CONTROL_PATH,
      headers,
      body,
    });
    const { host: _host, ...sendHeaders } = signed.headers;
    const res = await fetch(new URL(CONTROL_PATH, base), { method: 'POST', headers: sendHeaders, body });
    const answer = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`${operation}: ${String(answer['__type'])}: ${String(answer['message'])}`);
    return controlApi[operation].output.parse(answer) as ControlOperations[O]['output'];
  };
  return {
    call,
    /** Pushes `template` to environment dev of a new app and answers the finished deployment. */
    async deploy(appName: string, template: Template, parameters: Record<string, unknown> = {}): Promise<Deployment & { appId: string }> {
      const { app } = await call('CreateApp', { name: appName });
      await call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
      const { changeSet } = await call('CreateChangeSet', { appId: app.appId, envName: 'dev', template, parameters });
      const { deploymentId } = (await call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId })).deployment;
      for (let i = 0; i < 500; i++) {
        const { deployment } = await call('GetDeployment', { deploymentId });
        if (deployment.status !== 'IN_PROGRESS' && deployment.status !== 'ROLLING_BACK') return { ...deployment, appId: app.appId };
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`deployment ${deploymentId} did not finish`);
    },
  };
}
