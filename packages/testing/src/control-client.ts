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
} from '@forte/protocol';
import type { TestCloud } from './start-test-cloud.js';

/** A refusal of the control API: its AWS error code, message and HTTP status. */
export class ControlCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The control API of a test cloud, signed with its admin keys as the CLI signs; answers checked against the protocol contract. */
export interface TestControlClient {
  call<O extends ControlOperation>(operation: O, input: ControlOperations[O]['input']): Promise<ControlOperations[O]['output']>;
  /** Polls GetDeployment until the deployment has finished. */
  waitFor(deploymentId: string): Promise<Deployment>;
}

export function createTestControlClient(cloud: Pick<TestCloud, 'url' | 'credentials'>): TestControlClient {
  const base = new URL(cloud.url);
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region: cloud.credentials.region,
    credentials: { accessKeyId: cloud.credentials.accessKeyId, secretAccessKey: cloud.credentials.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
  });
  const self: TestControlClient = {
    async call(operation, input) {
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
      const response = await fetch(new URL(CONTROL_PATH, base), { method: 'POST', headers: sendHeaders, body });
      const answer = (await response.json()) as Record<string, unknown>;
      if (response.status !== 200) throw new ControlCallError(String(answer['__type']), String(answer['message']), response.status);
      return controlApi[operation].output.parse(answer) as ControlOperations[typeof operation]['output'];
    },
    async waitFor(deploymentId) {
      for (;;) {
        const { deployment } = await self.call('GetDeployment', { deploymentId });
        if (deployment.status !== 'IN_PROGRESS' && deployment.status !== 'ROLLING_BACK') return deployment;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
  return self;
}
