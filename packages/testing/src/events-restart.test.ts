import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { contiguous, eventsOf, MINUTE, RECORDER, RULE, SCALE, SLOW_MACHINE, timesOf, until } from './events-fixture.js';
import { deployFunction, filledSdkCache, handlerOf, makeTempDir, resourceContext, startLambdaCloud, type TestCloud } from './index.js';

void describe('schedules across a restart of the cloud', () => {
  const origin = Date.now();
  /** What the schedules' clock reads now. */
  const scheduleNow = (): number => origin + (Date.now() - origin) * SCALE;
  let dataDir: string;
  let cacheDir: string;
  let cloud: TestCloud;
  let tickerRule: string;
  const start = async (): Promise<TestCloud> => startLambdaCloud({ dataDir, cacheDir, events: { timeScale: SCALE, timeOrigin: origin } });

  before(async () => {
    dataDir = await makeTempDir('forte-events-restart');
    cacheDir = await filledSdkCache();
    cloud = await start();
    const arn = await deployFunction(cloud, { name: 'ticker', files: { 'index.js': RECORDER }, properties: SLOW_MACHINE });
    const rule = await handlerOf(cloud, RULE).create(
      { ScheduleExpression: 'rate(1 minute)', Targets: [{ Arn: arn, Id: 'ticker' }] },
      resourceContext(cloud, 'CloudWatchEvent'),
    );
    tickerRule = rule.physicalId;
    await until(
      'two ticks',
      () => eventsOf(cloud, 'ticker'),
      (e) => e.length >= 2,
    );
  });
  after(async () => {
    await cloud.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  });

  void it('keeps its schedule across a restart and fires once for the runs missed while the cloud was down', async () => {
    await cloud.close();
    const stoppedAt = scheduleNow();
    await sleep(3_500); // three and a half minutes of schedule time
    const restartingAt = scheduleNow();
    cloud = await start();
    const caughtUp = cloud
      .logs()
      .map((line) => JSON.parse(line) as { msg?: string; rule?: string; from?: string; to?: string })
      .find((line) => line.msg === 'schedule fired once for the runs missed while the cloud was down' && line.rule === tickerRule);
    assert.ok(caughtUp?.from && caughtUp.to, 'the start fires what was missed');
    const [from, to] = [Date.parse(caughtUp.from), Date.parse(caughtUp.to)];
    assert.ok(to - from >= 2 * MINUTE && to >= restartingAt - MINUTE, `missed ${caughtUp.from} to ${caughtUp.to}`);
    const events = await until(
      'every tick from before the stop and one after the restart',
      () => eventsOf(cloud, 'ticker'),
      (e) => {
        const before = timesOf(e).filter((t) => t < from);
        return contiguous(before) && before.at(-1) === from - MINUTE && timesOf(e).some((t) => t > to);
      },
    );
    const times = timesOf(events);
    assert.equal(new Set(times).size, times.length, 'no period fires twice');
    const lastBefore = Math.max(...times.filter((t) => t < from));
    assert.ok(lastBefore <= stoppedAt, 'the first missed period is the one after the last that fired');
    assert.deepEqual(
      times.filter((t) => t >= from && t <= to),
      [to],
      'one event, at the latest missed time, for all the missed periods',
    );
    assert.equal((to - times[0]!) % MINUTE, 0, 'the rate keeps its phase across the restart');
    assert.equal(
      times.find((t) => t > to),
      to + MINUTE,
      'and then fires once a minute again',
    );
  });
});
