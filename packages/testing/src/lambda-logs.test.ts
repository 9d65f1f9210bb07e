import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { callFailure, deployFunction, deployRole, handlerOf, lambdaClient, resourceContext, startLambdaCloud, type TestCloud } from './index.js';

const LOGGING = `exports.handler = async (event) => { console.log('marker', event.marker); console.error('to stderr', event.marker); return 1; };`;

/** Reads a log group through @aws-sdk/client-cloudwatch-logs with its own role's keys. */
const READER = `const { CloudWatchLogsClient, FilterLogEventsCommand } = require('@aws-sdk/client-cloudwatch-logs');
exports.handler = async (event) => {
  try {
    const out = await new CloudWatchLogsClient({}).send(new FilterLogEventsCommand({ logGroupName: event.group }));
    return { events: out.events.length };
  } catch (error) {
    return { error: error.name };
  }
};`;

const DAY_MS = 86_400_000;

void describe('functions’ logs through the CloudWatch Logs API', () => {
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let logs: CloudWatchLogsClient;

  before(async () => {
    cloud = await startLambdaCloud({ lambda: { logRetentionDays: 30 } });
    lambda = lambdaClient(cloud);
    logs = new CloudWatchLogsClient({ endpoint: `${cloud.url}/logs/`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
    await deployFunction(cloud, { name: 'chatty', files: { 'index.js': LOGGING } });
    const account = cloud.kernel.config.accountId;
    const readerRole = await deployRole(cloud, 'reader-role', [
      { Effect: 'Allow', Action: 'logs:FilterLogEvents', Resource: `arn:aws:logs:${cloud.kernel.config.region}:${account}:log-group:/aws/lambda/reader` },
    ]);
    await deployFunction(cloud, { name: 'reader', files: { 'index.js': READER }, role: readerRole });
    for (const marker of ['alpha', 'beta']) await lambda.send(new InvokeCommand({ FunctionName: 'chatty', Payload: JSON.stringify({ marker }) }));
  });
  after(async () => {
    lambda.destroy();
    logs.destroy();
    await cloud.close();
  });

  void it('lists log groups by name prefix (a function that has logged has one), in pages', async () => {
    const chatty = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/chat' }));
    assert.deepEqual(
      (chatty.logGroups ?? []).map((g) => g.logGroupName),
      ['/aws/lambda/chatty'],
    );
    assert.equal(chatty.logGroups![0]!.retentionInDays, undefined);
    const none = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/never-deployed' }));
    assert.deepEqual(none.logGroups, []);
    await lambda.send(new InvokeCommand({ FunctionName: 'reader', Payload: JSON.stringify({ group: '/aws/lambda/chatty' }) }));
    const first = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/', limit: 1 }));
    assert.deepEqual(
      (first.logGroups ?? []).map((g) => g.logGroupName),
      ['/aws/lambda/chatty'],
    );
    assert.ok(first.nextToken, 'more than one group: a next page');
    const second = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/', limit: 1, nextToken: first.nextToken }));
    assert.deepEqual(
      (second.logGroups ?? []).map((g) => g.logGroupName),
      ['/aws/lambda/reader'],
    );
    assert.equal(second.nextToken, undefined);
  });

  void it('stores every line of every invocation, START/END/REPORT included, and filters them', async () => {
    const all = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/chatty' }));
    const messages = (all.events ?? []).map((e) => e.message ?? '');
    assert.ok(messages.some((m) => m.includes('marker alpha')));
    assert.ok(messages.some((m) => m.includes('to stderr beta')));
    assert.equal(messages.filter((m) => m.startsWith('START RequestId')).length, 2);
    // Two invocations, one environment: one INIT_START, before the first START of its stream (CloudWatch's order).
    const inits = messages.filter((m) => m.startsWith('INIT_START'));
    assert.equal(inits.length, 1);
    assert.match(inits[0]!, /^INIT_START Runtime Version: nodejs:\d+\.v\d+\tRuntime Version ARN: arn:aws:lambda:[a-z0-9-]+::runtime:[0-9a-f]{64}$/);
    assert.ok(messages.indexOf(inits[0]!) < messages.findIndex((m) => m.startsWith('START RequestId')));
    assert.equal(messages.filter((m) => m.startsWith('REPORT RequestId')).length, 2);
    const filtered = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/chatty', filterPattern: '"marker beta"' }));
    assert.deepEqual(
      (filtered.events ?? []).map((e) => e.message?.includes('marker beta')),
      [true],
    );
    const paged = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/chatty', limit: 2 }));
    assert.equal(paged.events?.length, 2);
    const rest = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/chatty', nextToken: paged.nextToken }));
    assert.equal((rest.events?.length ?? 0) + 2, messages.length);
  });

  void it('describes the streams and reads one with GetLogEvents', async () => {
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/chatty' }));
    const stream = streams.logStreams?.[0];
    assert.match(stream?.logStreamName ?? '', /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    const events = await logs.send(new GetLogEventsCommand({ logGroupName: '/aws/lambda/chatty', logStreamName: stream!.logStreamName!, startFromHead: true }));
    assert.ok((events.events ?? []).length > 0);
    assert.ok(events.nextForwardToken);
    const again = await logs.send(
      new GetLogEventsCommand({ logGroupName: '/aws/lambda/chatty', logStreamName: stream!.logStreamName!, nextToken: events.nextForwardToken }),
    );
    assert.equal(again.events?.length, 0, 'nothing after the end');
    const missing = await callFailure(logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/none' })));
    assert.equal(missing.name, 'ResourceNotFoundException');
  });

  void it('authorizes per log group: a role may read only the groups its policy names', async () => {
    const own = await lambda.send(new InvokeCommand({ FunctionName: 'reader', Payload: JSON.stringify({ group: '/aws/lambda/reader' }) }));
    assert.ok(typeof (JSON.parse(Buffer.from(own.Payload ?? []).toString()) as { events?: number }).events === 'number');
    const other = await lambda.send(new InvokeCommand({ FunctionName: 'reader', Payload: JSON.stringify({ group: '/aws/lambda/chatty' }) }));
    assert.deepEqual(JSON.parse(Buffer.from(other.Payload ?? []).toString()), { error: 'AccessDeniedException' });
  });

  void it('matches a filter pattern without holding the cloud: long messages against many terms are read in slices', async () => {
    // 1,000 messages of 20,000 characters ending with each of 200 required terms, so that each term is looked
    // for to the end of every message (4 GB of text read in all), and one excluded term they all hold: seconds
    // of matching for an empty answer, which other requests must not wait behind.
    const terms = Array.from({ length: 200 }, (_, i) => `zz${i.toString(36)}`);
    const message = `${'x'.repeat(20_000)} ${terms.join(' ')} end`;
    await cloud.kernel.sql.transaction(async (tx) => {
      for (let i = 0; i < 1000; i++)
        await tx.run("INSERT INTO lambda_log_events (log_group, stream, timestamp, ingested, message) VALUES ('/aws/lambda/long', 's', ?, ?, ?)", [
          Date.now(),
          Date.now(),
          message,
        ]);
    });
    const pattern = `${terms.join(' ')} -end`;
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/long', filterPattern: pattern }));
    const took = performance.now() - started;
    delay.disable();
    assert.equal(out.events?.length, 0, 'every message holds the excluded term');
    const longestMs = delay.max / 1e6;
    assert.ok(took > 200, `the scan is long enough to be measured (${took.toFixed(0)} ms)`);
    assert.ok(longestMs < Math.max(100, took / 4), `the event loop was held ${longestMs.toFixed(0)} ms in a ${took.toFixed(0)} ms scan`);
    // As CloudWatch, an answer of either call holds at most 1 MB of events; the next page starts with the first left out.
    const first = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/long' }));
    assert.equal(first.events?.length, Math.floor((1024 * 1024) / message.length));
    const next = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/long', nextToken: first.nextToken, limit: 1 }));
    assert.equal(Number(next.events?.[0]?.eventId), Number(first.events!.at(-1)!.eventId) + 1);
    const head = await logs.send(new GetLogEventsCommand({ logGroupName: '/aws/lambda/long', logStreamName: 's', startFromHead: true }));
    assert.equal(head.events?.length, first.events?.length);
    const tail = await logs.send(new GetLogEventsCommand({ logGroupName: '/aws/lambda/long', logStreamName: 's', nextToken: head.nextForwardToken }));
    assert.equal(tail.events?.length, first.events?.length, 'the next page, as large');
  });

  void it("trims events by their LogGroup's RetentionInDays, else the configured default", async () => {
    const insert = (group: string, ageDays: number) =>
      cloud.kernel.sql.run("INSERT INTO lambda_log_events (log_group, stream, timestamp, ingested, message) VALUES (?, 's', ?, ?, ?)", [
        group,
        Date.now() - ageDays * DAY_MS,
        Date.now(),
        `${ageDays} days old`,
      ]);
    await insert('/aws/lambda/chatty', 3);
    await insert('/aws/lambda/chatty', 0.5);
    await insert('/aws/lambda/other', 20);
    await insert('/aws/lambda/other', 40);
    await handlerOf(cloud, 'AWS::Logs::LogGroup').create({ LogGroupName: '/aws/lambda/chatty', RetentionInDays: 1 }, resourceContext(cloud, 'LogGroup'));
    const left = await cloud.kernel.sql.all<{ log_group: string; message: string }>(
      "SELECT log_group, message FROM lambda_log_events WHERE message LIKE '%days old' ORDER BY log_group, message",
    );
    assert.deepEqual(left, [
      { log_group: '/aws/lambda/chatty', message: '0.5 days old' },
      { log_group: '/aws/lambda/other', message: '20 days old' },
    ]);
    const bad = await callFailure(
      handlerOf(cloud, 'AWS::Logs::LogGroup').create({ LogGroupName: '/aws/lambda/chatty', RetentionInDays: 2 }, resourceContext(cloud, 'LogGroup')),
    );
    assert.match(bad.message, /RetentionInDays must be one of/);
  });
});
