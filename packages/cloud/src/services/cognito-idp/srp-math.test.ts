import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { SRP_G, SRP_N, createVerifier, modPow, modPowN, padHex, parseSrpTimestamp, serverEphemeral, srpTimestamp, verifyPasswordClaim } from './srp-math.js';

// The client side written out independently from §4.4 of the protocol reference, as amplify-js computes it.
const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const hexHash = (hex: string): string => sha(Buffer.from(hex, 'hex'));
const big = (hex: string): bigint => BigInt(`0x${hex}`);

function clientClaim(options: {
  poolName: string;
  userId: string;
  password: string;
  salt: string;
  B: bigint;
  a: bigint;
  secretBlock: string;
  timestamp: string;
}): string {
  const A = modPow(SRP_G, options.a, SRP_N);
  const k = big(hexHash(padHex(SRP_N) + padHex(SRP_G)));
  const u = big(hexHash(padHex(A) + padHex(options.B)));
  const x = big(hexHash(padHex(big(options.salt)) + sha(`${options.poolName}${options.userId}:${options.password}`)));
  const base = (((options.B - k * modPow(SRP_G, x, SRP_N)) % SRP_N) + SRP_N) % SRP_N;
  const S = modPow(base, options.a + u * x, SRP_N);
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex'))
    .update(Buffer.from(padHex(S), 'hex'))
    .digest();
  const K = createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from('Caldera Derived Key'), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
  return createHmac('sha256', K)
    .update(
      Buffer.concat([Buffer.from(options.poolName), Buffer.from(options.userId), Buffer.from(options.secretBlock, 'base64'), Buffer.from(options.timestamp)]),
    )
    .digest('base64');
}

function run(password: string, typed: string): boolean {
  const poolName = 'LocalPool';
  const userId = 'alice';
  const { salt, verifier } = createVerifier(poolName, userId, password);
  const { b, B } = serverEphemeral(verifier);
  const a = big(randomBytes(128).toString('hex'));
  const secretBlock = randomBytes(64).toString('base64');
  const timestamp = srpTimestamp(new Date());
  const signature = clientClaim({ poolName, userId, password: typed, salt, B, a, secretBlock, timestamp });
  return verifyPasswordClaim({ A: modPow(SRP_G, a, SRP_N), b, B, verifierHex: verifier, poolName, userIdForSrp: userId, secretBlock, timestamp, signature });
}

test('a client that knows the password proves it; a wrong password does not', () => {
  assert.equal(run('Passw0rd!', 'Passw0rd!'), true);
  assert.equal(run('Passw0rd!', 'Passw0rd?'), false);
});

test('A = 0 mod N is refused', () => {
  const { verifier } = createVerifier('P', 'u', 'pw');
  const { b, B } = serverEphemeral(verifier);
  for (const A of [0n, SRP_N, 2n * SRP_N]) {
    assert.equal(
      verifyPasswordClaim({ A, b, B, verifierHex: verifier, poolName: 'P', userIdForSrp: 'u', secretBlock: 'AAAA', timestamp: 'x', signature: 'AAAA' }),
      false,
    );
  }
});

test('padHex follows Java toByteArray', () => {
  assert.equal(padHex(2n), '02');
  assert.equal(padHex(0x80n), '0080');
  assert.equal(padHex(0x7fn), '7f');
  assert.equal(padHex(0x123n), '0123');
});

test('timestamps use the client format, day not zero-padded, and parse back', () => {
  const date = new Date(Date.UTC(2026, 10, 2, 1, 5, 9));
  assert.equal(srpTimestamp(date), 'Mon Nov 2 01:05:09 UTC 2026');
  assert.equal(parseSrpTimestamp('Mon Nov 2 01:05:09 UTC 2026'), date.getTime());
  assert.equal(parseSrpTimestamp('Mon 2 Nov 2026'), undefined);
});

test('the OpenSSL exponentiation agrees with BigInt, degenerate bases included', () => {
  for (const base of [0n, 1n, 2n, SRP_N - 1n, SRP_N + 5n, big(randomBytes(384).toString('hex'))]) {
    for (const exponent of [0n, 1n, 3n, big(randomBytes(128).toString('hex'))]) {
      assert.equal(modPowN(base, exponent), modPow(base, exponent, SRP_N), `${base.toString(16).slice(0, 8)}^${exponent.toString(16).slice(0, 8)}`);
    }
  }
});
