import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { contiguous, eventsOf, MINUTE, RECORDER, RULE, SCALE, SLOW_MACHINE, timesOf, until } from './events-fixture.js';
import { deployFunction, filledSdkCache, handlerOf, makeTempDir, resourceContext, startLambdaCloud, type TestCloud } from './index.js';

void describe('schedules (AWS::Events::Rule) invoke their functions', () => {
  const origin = Date.now();
  /** What the schedules' clock reads now. */
  const scheduleNow = (): number => origin + (Date.now() - origin) * SCALE;
  let dataDir: string;
  let cacheDir: string;
  let cloud: TestCloud;
  let tickerRule: string;
  let tickerArn: string;
  const idleRule = { ScheduleExpression: 'rate(1 minute)', State: 'DISABLED', Targets: [] as unknown[] };
  const start = async (): Promise<TestCloud> => startLambdaCloud({ dataDir, cacheDir, events: { timeScale: SCALE, timeOrigin: origin } });

  before(async () => {
    dataDir = await makeTempDir('forte-events');
    cacheDir = await filledSdkCache();
    cloud = await start();
    tickerArn = await deployFunction(cloud, { name: 'ticker', files: { 'index.js': RECORDER }, properties: SLOW_MACHINE });
    const idleArn = await deployFunction(cloud, { name: 'idle', files: { 'index.js': RECORDER }, properties: SLOW_MACHINE });
    const customArn = await deployFunction(cloud, { name: 'custom', files: { 'index.js': RECORDER }, properties: SLOW_MACHINE });
    // As Amplify's function template writes it: the rule, then events.amazonaws.com's permission to invoke.
    const rule = await handlerOf(cloud, RULE).create(
      { Description: 'Schedule rule for Lambda', ScheduleExpression: 'rate(1 minute)', State: 'ENABLED', Targets: [{ Arn: tickerArn, Id: 'ticker' }] },
      resourceContext(cloud, 'CloudWatchEvent'),
    );
    tickerRule = rule.physicalId;
    assert.equal(rule.attributes.Arn, `arn:aws:events:${cloud.credentials.region}:${cloud.kernel.config.accountId}:rule/${tickerRule}`);
    await handlerOf(cloud, 'AWS::Lambda::Permission').create(
      { FunctionName: 'ticker', Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: rule.attributes.Arn },
      resourceContext(cloud, 'PermissionForEventsToInvokeLambda'),
    );
    idleRule.Targets = [{ Arn: idleArn, Id: 'idle' }];
    await handlerOf(cloud, RULE).create({ Name: 'idle-rule', ...idleRule }, resourceContext(cloud, 'IdleRule'));
    await handlerOf(cloud, RULE).create(
      { Name: 'custom-rule', ScheduleExpression: 'cron(* * * * ? *)', Targets: [{ Arn: customArn, Id: 'custom', Input: '{"from":"input"}' }] },
      resourceContext(cloud, 'CustomRule'),
    );
  });
  after(async () => {
    await cloud.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  });

  void it('fires rate(1 minute) once a minute with the scheduled event of EventBridge', async () => {
    const events = await until(
      'three ticks in a row',
      () => eventsOf(cloud, 'ticker'),
      (e) => e.length >= 3 && contiguous(timesOf(e).slice(0, 3)),
    );
    const ruleArn = `arn:aws:events:${cloud.credentials.region}:${cloud.kernel.config.accountId}:rule/${tickerRule}`;
    for (const event of events) {
      assert.deepEqual(Object.keys(event).sort(), ['account', 'detail', 'detail-type', 'id', 'region', 'resources', 'source', 'time', 'version']);
      assert.equal(event.version, '0');
      assert.match(String(event.id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(event['detail-type'], 'Scheduled Event');
      assert.equal(event.source, 'aws.events');
      assert.equal(event.account, cloud.kernel.config.accountId);
      assert.equal(event.region, cloud.credentials.region);
      assert.deepEqual(event.resources, [ruleArn]);
      assert.deepEqual(event.detail, {});
      assert.match(String(event.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
    assert.equal(new Set(events.map((e) => e.id)).size, events.length);
    const times = timesOf(events);
    assert.equal(new Set(times).size, times.length, 'no period fires twice');
    for (const t of times) assert.equal((t - times[0]!) % MINUTE, 0, 'each event is at a whole period of the rate');
  });

  void it('sends the target Input instead of the event, on a cron schedule', async () => {
    const events = await until(
      'a custom input',
      () => eventsOf(cloud, 'custom'),
      (e) => e.length >= 2,
    );
    for (const event of events) assert.deepEqual(event, { from: 'input' });
  });

  void it('does not fire a DISABLED rule, and fires it once it is enabled', async () => {
    await until(
      'three more ticks',
      () => eventsOf(cloud, 'ticker'),
      (e) => e.length >= 4,
    );
    assert.deepEqual(await eventsOf(cloud, 'idle'), []);
    await handlerOf(cloud, RULE).update(
      'idle-rule',
      { Name: 'idle-rule', ...idleRule, State: 'ENABLED' },
      { Name: 'idle-rule', ...idleRule },
      resourceContext(cloud, 'IdleRule'),
    );
    const events = await until(
      'the enabled rule',
      () => eventsOf(cloud, 'idle'),
      (e) => e.length >= 1,
    );
    assert.equal(events[0]?.['detail-type'], 'Scheduled Event');
  });

  void it('stops when its rule is removed, and survives a target function that is gone', async () => {
    await handlerOf(cloud, RULE).delete(tickerRule, {}, resourceContext(cloud, 'CloudWatchEvent'));
    const removedAt = scheduleNow();
    await handlerOf(cloud, 'AWS::Lambda::Function').delete('custom', {}, resourceContext(cloud, 'custom'));
    await until(
      'a warning for the missing target',
      async () => cloud.logs(),
      (lines) => lines.some((l) => l.includes('schedule target could not be invoked')),
    );
    await sleep(2_500);
    const late = timesOf(await eventsOf(cloud, 'ticker')).filter((t) => t > removedAt);
    assert.deepEqual(late, []);
    assert.ok((await eventsOf(cloud, 'idle')).length >= 1, 'other rules still fire');
  });
});
