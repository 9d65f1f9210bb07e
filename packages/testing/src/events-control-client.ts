import type { Deployment, Template } from '@forte/protocol';
import { createTestControlClient, type TestControlClient } from './control-client.js';
import type { TestCloud } from './start-test-cloud.js';

/** The signed control client of `cloud`, plus a one-call push of a template to environment dev of a new app. */
export function controlClient(cloud: TestCloud): TestControlClient & {
  deploy(appName: string, template: Template, parameters?: Record<string, unknown>): Promise<Deployment & { appId: string }>;
} {
  const client = createTestControlClient(cloud);
  return {
    ...client,
    async deploy(appName, template, parameters = {}) {
      const { app } = await client.call('CreateApp', { name: appName });
      await client.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
      const { changeSet } = await client.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template, parameters });
      const { deploymentId } = (await client.call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId })).deployment;
      return { ...(await client.waitFor(deploymentId)), appId: app.appId };
    },
  };
}
