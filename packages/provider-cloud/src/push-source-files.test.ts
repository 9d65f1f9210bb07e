import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isUserError, type PluginContext, type PushRequest } from '@forte/protocol';
import { startTestCloud, type TestCloud } from '@forte/testing';
import { initEnv } from './init-env.js';
import { pushResources } from './push-resources.js';

/**
 * A push sends the file each template was read from (a resource's `sourceFile`) with the change set, so
 * the cloud's refusal names the file the user edits; a generated template is named by its stack alone.
 */
let cloud: TestCloud;
let ctx: PluginContext;

before(async () => {
  cloud = await startTestCloud();
  // The provider reads only the cloud's endpoint and keys from the context.
  ctx = { cloud: async () => ({ endpoint: cloud.url, ...cloud.credentials }) } as unknown as PluginContext;
});
after(() => cloud.close());

const FILE = 'amplify/backend/function/mailer/mailer-cloudformation-template.json';

void describe('push: the source file of a template', () => {
  void it("is named in the cloud's refusal of a type no service handles, before there is a change set to confirm", async () => {
    const envInfo = await initEnv(ctx, { projectName: 'mailer', envName: 'dev' });
    const request = (sourceFile: string | undefined): PushRequest => ({
      appId: envInfo.AmplifyAppId,
      envName: 'dev',
      envInfo,
      resources: [
        {
          category: 'function',
          resourceName: 'mailer',
          template: { Resources: { Outbox: { Type: 'AWS::SQS::Queue', Properties: {} } } },
          ...(sourceFile === undefined ? {} : { sourceFile }),
        },
      ],
      snapshot: {},
      initiatedBy: 'test',
      confirm: () => Promise.resolve(assert.fail('the change set was accepted')),
      beforeExecute: () => undefined,
      onDeploymentStarted: () => undefined,
      onEvent: () => undefined,
    });
    await assert.rejects(pushResources(ctx, request(FILE)), (error: unknown) => {
      assert.ok(isUserError(error));
      assert.equal(
        error.message,
        `Outbox (stack functionmailer, file ${FILE}): resource type AWS::SQS::Queue is not supported (no service of this cloud handles it)`,
      );
      return true;
    });
    await assert.rejects(pushResources(ctx, request(undefined)), {
      message: 'Outbox (stack functionmailer): resource type AWS::SQS::Queue is not supported (no service of this cloud handles it)',
    });
  });
});
