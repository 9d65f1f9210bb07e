#!/usr/bin/env node
// Stream delivery benchmark (docs/benchmarks.md, "Streams"): p50 / p99 / max from a committed write to the
// invocation of the trigger that receives it, at a steady write rate. Loopback only, temporary data folder.
//
// A cloud in this process (built `dist`, `npm run build` first) with a table whose stream is on and a trigger
// function mapped to it (BatchSize 100, LATEST, no batching window, as Amplify writes them). Writes are sent
// open-loop by a second process (this file with `--load`), one every 1/BENCH_RATE s (default 500 writes/s) for
// BENCH_SECONDS (default 10) through @aws-sdk/client-dynamodb; each item carries the time its PutItem was sent. The trigger logs, per batch, the
// time it was invoked and each record's send time and sequence number; the latency of a record is invocation time minus the time
// of its commit (read from its sequence number, below); the latency from the PutItem's send time, which also
// counts the request's own wait and handling, is printed beside it, and so is the baseline of the same run: the
// PutItem round trips themselves (send to answer), which a loaded machine slows alike. The first second (the
// function's cold start) is left out.
import './sdk-notice.mjs';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Agent } from 'node:http';
import { loadavg } from 'node:os';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const root = new URL('..', import.meta.url);
const { startLambdaCloud, deployFunction, handlerOf, resourceContext } = await import(new URL('packages/testing/dist/index.js', root).href);

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_MS = 1000;
/**
 * When a record was committed: Forte's sequence numbers are 10^20 plus the clock in microseconds at the write's
 * append, in its transaction just before the commit (table-streams.ts), so they time the commit itself, apart
 * from the time the PutItem request waited for its turn on a loaded machine.
 */
const committedAt = (sequenceNumber) => Number(BigInt(sequenceNumber) - 10n ** 20n) / 1000;

const TRIGGER = `exports.handler = async (event) => {
  const at = Date.now();
  console.log('BATCH ' + JSON.stringify({ at, sent: event.Records.map((r) => Number(r.dynamodb.NewImage.sent.N)), seq: event.Records.map((r) => r.dynamodb.SequenceNumber) }));
};`;

if (process.argv[2] === '--load') {
  await sendWrites(JSON.parse(process.argv[3]));
  process.exit(0);
}

/** The load process: PutItem calls open-loop at RATE a second; prints its timings as JSON. */
async function sendWrites({ url, credentials, total }) {
  const client = new DynamoDBClient({
    endpoint: url,
    region: credentials.region,
    credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) }),
  });
  const start = performance.now() + 100;
  const writes = [];
  const putTimes = [];
  let failed = 0;
  let firstSent;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = Date.now();
    firstSent ??= sent;
    writes.push(
      client
        .send(new PutItemCommand({ TableName: 'Bench', Item: { id: { S: `item-${i}` }, sent: { N: String(sent) }, body: { S: 'x'.repeat(100) } } }))
        .then(() => putTimes.push(Date.now() - sent))
        .catch(() => void failed++),
    );
  }
  const sendingMs = performance.now() - start;
  await Promise.all(writes);
  client.destroy();
  process.stdout.write(JSON.stringify({ firstSent, failed, sendingMs, putTimes }));
}

const cloud = await startLambdaCloud({ printLogs: false, logLevel: 'warn' });
const dynamodb = new DynamoDBClient({
  endpoint: cloud.url,
  region: cloud.credentials.region,
  credentials: cloud.credentials,
  maxAttempts: 1,
  requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) }),
});
try {
  const table = await dynamodb.send(
    new CreateTableCommand({
      TableName: 'Bench',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  await deployFunction(cloud, { name: 'benchTrigger', files: { 'index.js': TRIGGER } });
  await handlerOf(cloud, 'AWS::Lambda::EventSourceMapping').create(
    { FunctionName: 'benchTrigger', EventSourceArn: table.TableDescription.LatestStreamArn, BatchSize: 100, StartingPosition: 'LATEST', Enabled: true },
    resourceContext(cloud, 'BenchMapping'),
  );

  const total = RATE * SECONDS;
  // The writes come from another process, so the cloud's event loop serves them and the trigger only.
  const load = spawn(process.execPath, [fileURLToPath(import.meta.url), '--load', JSON.stringify({ url: cloud.url, credentials: cloud.credentials, total })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  load.stdout.on('data', (chunk) => (output += chunk));
  await new Promise((resolve) => load.once('exit', resolve));
  const { firstSent, failed, sendingMs, putTimes } = JSON.parse(output);
  // Read the trigger's batches back from its log group.
  const logs = new CloudWatchLogsClient({ endpoint: `${cloud.url}/logs/`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
  let latencies = [];
  let fromSend = [];
  let received = 0;
  let batches = 0;
  for (let round = 0; round < 100 && received < total - failed; round++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    latencies = [];
    fromSend = [];
    received = 0;
    batches = 0;
    let nextToken;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/benchTrigger', filterPattern: '"BATCH"', nextToken }));
      for (const event of page.events ?? []) {
        const { at, sent, seq } = JSON.parse(event.message.slice(event.message.indexOf('BATCH ') + 6));
        batches += 1;
        sent.forEach((s, i) => {
          received += 1;
          if (s < firstSent + WARMUP_MS) return;
          fromSend.push(at - s);
          latencies.push(at - committedAt(seq[i]));
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  logs.destroy();
  latencies.sort((a, b) => a - b);
  fromSend.sort((a, b) => a - b);
  const pct = (p, list = latencies) => list[Math.min(list.length - 1, Math.floor((p / 100) * list.length))];
  console.log(
    JSON.stringify({
      rate: RATE,
      seconds: SECONDS,
      achievedRate: Math.round((total * 1000) / sendingMs),
      writes: total,
      failedWrites: failed,
      recordsDelivered: received,
      measured: latencies.length,
      p50Ms: pct(50),
      p99Ms: pct(99),
      maxMs: latencies.at(-1),
      batches,
      putItemP50Ms: pct(
        50,
        putTimes.sort((a, b) => a - b),
      ),
      putItemP99Ms: pct(99, putTimes),
      loadAverage: loadavg()[0],
      fromSendP50Ms: pct(50, fromSend),
      fromSendP99Ms: pct(99, fromSend),
    }),
  );
} finally {
  dynamodb.destroy();
  await cloud.close();
}
