import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CognitoIdentityProviderClient, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { AUTH_RESOURCE_TYPES, MAILBOX_API_PATH, SIGNING_SERVICE, type MailboxMessage, type UserPoolProperties } from '@forte/protocol';
import { SMTPServer } from 'smtp-server';
import { createLogger } from './kernel/logger.js';
import { createSmtpMailSender, type SmtpSettings } from './kernel/mail-transport.js';
import type { ResourceContext } from './kernel/types.js';
import { createCloud, type Cloud } from './server.js';

const SMTP_USER = 'forte-mailer';
const SMTP_PASSWORD = 'smtp-s3cret-Passw0rd';
const FROM = 'Forte <no-reply@forte.test>';
const PASSWORD = 'Passw0rd!';

interface Received {
  mailFrom: string;
  rcptTo: string[];
  user: unknown;
  raw: string;
}

/** A local SMTP server that keeps what it receives. */
async function startSink(): Promise<{ port: number; received: Received[]; next(): Promise<Received>; close(): Promise<void> }> {
  const received: Received[] = [];
  const waiting: Array<(message: Received) => void> = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const message: Received = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          user: session.user,
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        const waiter = waiting.shift();
        if (waiter) waiter(message);
        else received.push(message);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  assert.ok(address && typeof address === 'object');
  return {
    port: address.port,
    received,
    next: () => {
      const queued = received.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A TCP port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function header(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  return new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1];
}

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  // Waits for an event, not for a time: the bound only stops a broken build from hanging.
  for (let i = 0; i < 800; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

interface TestCloud {
  cloud: Cloud;
  logs: string[];
  signUp(attributes: Record<string, string>): Promise<void>;
  mailbox(to: string): Promise<MailboxMessage[]>;
  close(): Promise<void>;
}

const POOL: UserPoolProperties = {
  PoolName: 'Mail',
  AutoVerifiedAttributes: ['email', 'phone_number'],
  EmailVerificationSubject: 'Your Mail Test code',
  EmailVerificationMessage: 'Welcome! Your code is {####}.',
};

async function startCloud(smtp: SmtpSettings): Promise<TestCloud> {
  const dir = await mkdtemp(join(tmpdir(), 'forte-email-'));
  const logs: string[] = [];
  const cloud = await createCloud({ dataDir: dir, port: 0, logLevel: 'debug', logStream: { write: (line) => void logs.push(line) }, smtp });
  const ctx: ResourceContext = {
    appId: 'app1',
    appSlug: 'app1',
    envName: 'dev',
    stackName: 's',
    logicalId: 'UserPool',
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  };
  const poolId = (await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.create({ ...POOL }, ctx)).physicalId;
  const clientId = (
    await cloud.kernel
      .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
      .create(
        { UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
        { ...ctx, logicalId: 'Client' },
      )
  ).physicalId;
  const client = new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: `${cloud.url}/cognito-idp/`,
    maxAttempts: 1,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
  let n = 0;
  return {
    cloud,
    logs,
    async signUp(attributes) {
      await client.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: `user${++n}`,
          Password: PASSWORD,
          UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
    },
    async mailbox(to) {
      const url = new URL(MAILBOX_API_PATH, cloud.url);
      const body = JSON.stringify({ to });
      const signer = new SignatureV4({ service: SIGNING_SERVICE, region: 'us-east-1', credentials: cloud.adminCredentials, sha256: Hash.bind(null, 'sha256') });
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'ForteMailbox.ListMessages' },
        body,
      });
      const response = await fetch(url, { method: 'POST', headers: signed.headers, body });
      assert.equal(response.status, 200);
      return ((await response.json()) as { messages: MailboxMessage[] }).messages;
    },
    async close() {
      client.destroy();
      await cloud.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// A missing delivery would otherwise wait forever for the sink.
void describe('email delivery over SMTP', { timeout: 60_000 }, () => {
  void it('emails the sign-up code through the configured server and keeps it in the mailbox', async () => {
    const sink = await startSink();
    cleanups.push(sink.close);
    const t = await startCloud({ url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${sink.port}`, from: FROM });
    cleanups.push(t.close);

    await t.signUp({ email: 'alice@example.com' });
    const mail = await sink.next();
    const [kept] = await t.mailbox('alice@example.com');
    assert.ok(kept?.code, 'the mailbox still holds the message');
    assert.deepEqual(mail.rcptTo, ['alice@example.com']);
    assert.equal(mail.mailFrom, 'no-reply@forte.test');
    assert.equal(mail.user, SMTP_USER, 'the credentials of the URL log in');
    assert.equal(header(mail.raw, 'To'), 'alice@example.com');
    assert.equal(header(mail.raw, 'From'), FROM);
    assert.equal(header(mail.raw, 'Subject'), 'Your Mail Test code');
    assert.ok(mail.raw.includes(`Welcome! Your code is ${kept.code}.`), 'the body is the pool message with the code the mailbox holds');

    // SMS codes only go to the mailbox; close() waits for pending sends, so nothing more can arrive after it.
    await t.signUp({ phone_number: '+15550002222' });
    assert.equal((await t.mailbox('+15550002222'))[0]?.medium, 'SMS');
    await t.close();
    cleanups.pop();
    assert.deepEqual(sink.received, [], 'no email for an SMS message');

    const all = t.logs.join('');
    assert.ok(!all.includes(SMTP_PASSWORD), 'the SMTP password is never logged');
    assert.ok(!all.includes(kept.code), 'the code is never logged');
    const listening = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'listening');
    assert.equal(listening?.smtpServer, `smtp://127.0.0.1:${sink.port}`);
  });

  void it('answers the sign-up when the SMTP server is unreachable, and logs a warning without secrets', async () => {
    const t = await startCloud({ url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${await closedPort()}`, from: FROM });
    cleanups.push(t.close);
    await t.signUp({ email: 'bob@example.org' });
    const code = (await t.mailbox('bob@example.org'))[0]?.code;
    assert.ok(code);
    const warning = await until(
      () => t.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'email delivery failed'),
      'the delivery warning',
    );
    assert.equal(warning.level, 'warn');
    assert.equal(warning.recipientDomain, 'example.org');
    assert.equal(typeof warning.code, 'string');
    const all = t.logs.join('');
    for (const secret of [code, SMTP_PASSWORD, 'bob@example.org', 'Welcome!']) assert.ok(!all.includes(secret), `the log does not hold ${secret}`);
  });
});

void describe('SMTP mail sender', { timeout: 60_000 }, () => {
  const quietLog = (lines: string[]) => createLogger({ write: (line) => void lines.push(line), level: 'debug' });

  void it('returns before the server answers, close() waits for what is being sent, and one address only', async () => {
    const sink = await startSink();
    cleanups.push(sink.close);
    const sender = createSmtpMailSender({ url: `smtp://127.0.0.1:${sink.port}`, from: 'a@forte.test' }, quietLog([]));
    assert.equal(sender.send({ to: 'carol@example.com', subject: 'Hi', text: 'Hello' }), undefined);
    sender.send({ to: 'carol@example.com, victim@example.org', subject: 'Hi', text: 'Hello' });
    await sender.close();
    assert.deepEqual(
      sink.received.map((m) => m.rcptTo),
      [['carol@example.com']],
      'a list of addresses is refused',
    );
  });

  void it('abandons a send the server never answers once the close grace is over', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket)); // accepts, never greets
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const lines: string[] = [];
    const sender = createSmtpMailSender({ url: `smtp://127.0.0.1:${(silent.address() as { port: number }).port}`, from: 'a@forte.test' }, quietLog(lines), {
      closeGraceMs: 50,
    });
    sender.send({ to: 'dave@example.net', subject: 'Hi', text: 'code 123456' });
    await until(() => (sockets.length > 0 ? true : undefined), 'the connection');
    await sender.close();
    const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'email delivery failed');
    assert.equal(warning?.code, 'EABORT', 'aborted by close, not timed out');
    assert.equal(warning?.recipientDomain, 'example.net');
    sender.send({ to: 'erin@example.net', subject: 'Late', text: 'x' });
    assert.ok(lines.some((l) => l.includes('the cloud is stopping')));
  });

  void it('refuses a URL that is not smtp:// or smtps:// without quoting it', () => {
    assert.throws(
      () => createSmtpMailSender({ url: 'http://u:hunter2@mail.example.com', from: 'a@b.c' }, quietLog([])),
      (error: Error) => {
        assert.match(error.message, /smtp\.url must start with smtp:\/\/ or smtps:\/\//);
        assert.ok(!error.message.includes('hunter2'));
        return true;
      },
    );
  });
});
