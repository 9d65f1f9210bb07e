import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { controlClient } from './events-control-client.js';
import { RULE } from './events-fixture.js';
import { startTestCloud, type TestCloud } from './index.js';

/** The schedule part of Amplify's function template: the rule exists only when CloudWatchRule is not NONE. */
const amplifyTemplate = (functionArn: string) => ({
  Parameters: { CloudWatchRule: { Type: 'String', Default: 'NONE' } },
  Conditions: { ShouldCreateSchedule: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CloudWatchRule' }, 'NONE'] }] } },
  Resources: {
    CloudWatchEvent: {
      Type: RULE,
      Condition: 'ShouldCreateSchedule',
      Properties: {
        Description: 'Schedule rule for Lambda',
        ScheduleExpression: { Ref: 'CloudWatchRule' },
        State: 'ENABLED',
        Targets: [{ Arn: functionArn, Id: 'scheduled' }],
      },
    },
  },
  Outputs: {
    CloudWatchEventRule: { Condition: 'ShouldCreateSchedule', Value: { Ref: 'CloudWatchEvent' } },
    CloudWatchEventRuleArn: { Condition: 'ShouldCreateSchedule', Value: { 'Fn::GetAtt': ['CloudWatchEvent', 'Arn'] } },
  },
});

void describe("Amplify's schedule resources through a push", () => {
  let cloud: TestCloud;
  before(async () => {
    cloud = await startTestCloud();
  });
  after(() => cloud.close());

  void it('creates the rule for an expression, answering its name and ARN as outputs', async () => {
    const { accountId, region } = cloud.kernel.config;
    const template = amplifyTemplate(`arn:aws:lambda:${region}:${accountId}:function:scheduled-dev`);
    const control = controlClient(cloud);
    const deployment = await control.deploy('Scheduled', template, { CloudWatchRule: 'cron(0 12 ? * MON-FRI *)' });
    assert.equal(deployment.status, 'SUCCEEDED', deployment.error);
    const { environment, resources } = await control.call('DescribeStack', { appId: deployment.appId, envName: 'dev' });
    const name = String(environment.outputs['CloudWatchEventRule']);
    assert.match(name, /CloudWatchEvent-[0-9A-F]{12}$/);
    assert.ok(name.length <= 64);
    assert.equal(environment.outputs['CloudWatchEventRuleArn'], `arn:aws:events:${region}:${accountId}:rule/${name}`);
    assert.deepEqual(
      resources.map((r) => [r.logicalId, r.physicalId]),
      [['CloudWatchEvent', name]],
    );
  });

  void it('creates nothing when the schedule is NONE', async () => {
    const deployment = await controlClient(cloud).deploy('Unscheduled', amplifyTemplate('arn:aws:lambda:us-east-1:123456789012:function:f'));
    assert.equal(deployment.status, 'SUCCEEDED', deployment.error);
    const { resources } = await controlClient(cloud).call('DescribeStack', { appId: deployment.appId, envName: 'dev' });
    assert.deepEqual(resources, []);
  });
});
