import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { controlClient } from './events-control-client.js';
import { RULE } from './events-fixture.js';
import { startTestCloud, type TestCloud } from './index.js';

void describe('schedules that are not valid fail the deployment', () => {
  let cloud: TestCloud;
  before(async () => {
    cloud = await startTestCloud();
  });
  after(() => cloud.close());

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a plural unit for 1', { ScheduleExpression: 'rate(1 minutes)' }, /Parameter ScheduleExpression is not valid\. "rate\(1 minutes\)": write "1 minute"/],
    [
      'both day fields',
      { ScheduleExpression: 'cron(0 12 * * MON *)' },
      /Parameter ScheduleExpression is not valid\..*exactly one of day-of-month and day-of-week must be \?/,
    ],
    ['five cron fields', { ScheduleExpression: 'cron(0 12 * * ?)' }, /Parameter ScheduleExpression is not valid\..*6 fields/],
    ['an event pattern', { EventPattern: { source: ['aws.s3'] } }, /EventPattern: rules that match events are not supported yet/],
    [
      'a target that is not a function',
      { ScheduleExpression: 'rate(5 minutes)', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:123456789012:q' }] },
      /only Lambda functions/,
    ],
    [
      'an Input that is not JSON',
      { ScheduleExpression: 'rate(5 minutes)', Targets: [{ Id: 'f', Arn: 'arn:aws:lambda:us-east-1:123456789012:function:f', Input: '{nope' }] },
      /Input must be valid JSON text/,
    ],
  ];
  for (const [index, [what, properties, message]] of cases.entries()) {
    void it(`refuses ${what}`, async () => {
      const deployment = await controlClient(cloud).deploy(`Schedule${index}`, { Resources: { CloudWatchEvent: { Type: RULE, Properties: properties } } });
      assert.notEqual(deployment.status, 'SUCCEEDED');
      assert.match(deployment.error ?? '', message);
    });
  }
});
