import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCloud, type Cloud } from './server.js';
import { createDynamoDbService } from './services/dynamodb/index.js';
import { createIamService } from './services/iam/index.js';
import { createS3Service } from './services/s3/index.js';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A keep-alive connection that sends raw requests and reads their answers in order (bodies by Content-Length). */
class Connection {
  private buffer = Buffer.alloc(0);
  private readonly waiting: ((answer: Answer) => void)[] = [];
  private readonly failing: ((error: Error) => void)[] = [];
  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
    socket.on('error', () => undefined);
    // A connection the cloud closes fails what still waits on it, rather than leave the test hanging.
    socket.on('close', () => {
      for (const reject of this.failing.splice(0)) reject(new Error('the cloud closed the connection'));
      this.waiting.length = 0;
    });
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes the request now; answers its response when it arrives. */
  send(request: string): Promise<Answer> {
    const answer = new Promise<Answer>((resolve, reject) => {
      this.waiting.push(resolve);
      this.failing.push(reject);
    });
    this.socket.write(request);
    return answer;
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine = '', ...lines] = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.failing.shift();
      this.waiting.shift()?.({ status: Number(statusLine.split(' ')[1]), headers, body });
    }
  }
}

const HEALTH = 'GET /_forte/health HTTP/1.1\r\nhost: localhost\r\n\r\n';
const LIST_TABLES =
  'POST / HTTP/1.1\r\nhost: localhost\r\nx-amz-target: DynamoDB_20120810.ListTables\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: 2\r\n\r\n{}';
const LIST_BUCKETS = 'GET /s3/ HTTP/1.1\r\nhost: localhost\r\n\r\n';

let dir: string;
let cloud: Cloud;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-flood-'));
  cloud = await createCloud({
    dataDir: dir,
    port: 0,
    logLevel: 'error',
    logStream: { write: () => true },
    services: [createIamService, createS3Service, createDynamoDbService],
    connectionLimits: { maxQueuedRequests: 4, maxPendingConnectionsPerAddress: 0 },
  });
});
after(async () => {
  await cloud.close();
  await rm(dir, { recursive: true, force: true });
});

void describe('a flood of requests', () => {
  void it('is answered 503 in each protocol’s throttling shape beyond the queue limit, while the health check still answers 200', async () => {
    const connections = await Promise.all(Array.from({ length: 300 }, () => Connection.open(cloud.port)));
    try {
      // Every connection accepted and served once, so the flood below arrives on open connections all at once.
      for (const answer of await Promise.all(connections.map((c) => c.send(HEALTH)))) assert.equal(answer.status, 200);
      const refusals: Answer[] = [];
      const health: Answer[] = [];
      // The flood's requests arrive in one event-loop turn: most wait for later turns, and 4 at most may wait.
      // Rounds are repeated until some are refused, as a loaded machine may spread one round over turns.
      for (let round = 0; round < 5 && refusals.length === 0; round++) {
        const sent = connections.map((c, i) => {
          const request = i % 10 === 9 ? HEALTH : i % 2 === 0 ? LIST_TABLES : LIST_BUCKETS;
          return c.send(request).then((answer) => ({ request, answer }));
        });
        for (const { request, answer } of await Promise.all(sent)) {
          if (request === HEALTH) health.push(answer);
          else if (answer.status === 503) refusals.push(answer);
          else assert.equal(answer.status, 403, `an unsigned request the cloud served: ${answer.status} ${answer.body}`);
        }
      }
      assert.ok(refusals.length > 0, 'no request of the flood was refused');
      assert.ok(
        health.every((a) => a.status === 200),
        `health answers: ${health.map((a) => a.status).join(', ')}`,
      );
      for (const refusal of refusals) {
        assert.equal(refusal.headers['retry-after'], '1');
        if (refusal.headers['content-type'] === 'application/xml')
          assert.match(refusal.body, /<Code>SlowDown<\/Code><Message>Please reduce your request rate\.<\/Message>/);
        else {
          assert.equal(refusal.headers['x-amzn-errortype'], 'ThrottlingException');
          assert.equal((JSON.parse(refusal.body) as { __type: string }).__type, 'ThrottlingException');
        }
      }
      // Once the flood is over, requests are served again.
      const calm = await connections[0]!.send(LIST_TABLES);
      assert.equal(calm.status, 403);
    } finally {
      for (const c of connections) c.close();
    }
  });
});
