import { createHmac } from 'node:crypto';
import { MAILBOX_API_PATH, SIGNING_SERVICE, type MailboxMessage } from '@forte/protocol';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TestCloud } from './start-test-cloud.js';

/** The messages the cloud's mailbox holds for `to`, newest first (ForteMailbox.ListMessages, signed with the admin keys). */
export async function mailboxMessages(cloud: TestCloud, to: string, limit?: number): Promise<MailboxMessage[]> {
  const url = new URL(MAILBOX_API_PATH, cloud.url);
  const body = JSON.stringify(limit === undefined ? { to } : { to, limit });
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region: cloud.credentials.region,
    credentials: cloud.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'ForteMailbox.ListMessages' },
    body,
  });
  return ((await (await fetch(url, { method: 'POST', headers: signed.headers, body })).json()) as { messages: MailboxMessage[] }).messages;
}

/** A TOTP code (RFC 6238: SHA-1, 30 s, six digits) written out here, so tests do not trust the server's own. */
export function totpCode(secret: string, atMs = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
