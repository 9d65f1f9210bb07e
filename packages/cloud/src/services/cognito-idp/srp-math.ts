import { createDiffieHellman, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The SRP-6a variant Cognito and amplify-js speak (reference §4.4): the 3072-bit group of RFC 3526,
 * g = 2, SHA-256, Java-style `toByteArray` padding, and HKDF "Caldera Derived Key".
 */
const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

export const SRP_N = BigInt(`0x${N_HEX}`);
export const SRP_G = 2n;

/** Hex of n as Java's BigInteger.toByteArray: even length, and a leading 00 when the top bit is set. */
export function padHex(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  else if ('89abcdef'.includes(hex[0] ?? '0')) hex = `00${hex}`;
  return hex;
}

export function hashHex(hex: string): string {
  return createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
}

function hashUtf8(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

function bytesOf(n: bigint): Buffer {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
}

// OpenSSL's exponentiation is about ten times faster than BigInt's: a Diffie-Hellman object over N
// computes base^exponent as computeSecret(base) with the exponent as its private key.
const dhOverN = createDiffieHellman(bytesOf(SRP_N), Buffer.from([2]));

/** base^exponent mod N. OpenSSL refuses the degenerate bases 0, 1 and N-1; BigInt takes those. */
export function modPowN(base: bigint, exponent: bigint): bigint {
  const b = ((base % SRP_N) + SRP_N) % SRP_N;
  if (b < 2n || b > SRP_N - 2n || exponent < 1n) return modPow(b, exponent, SRP_N);
  dhOverN.setPrivateKey(bytesOf(exponent));
  return BigInt(`0x${dhOverN.computeSecret(bytesOf(b)).toString('hex')}`);
}

export const SRP_K = BigInt(`0x${hashHex(padHex(SRP_N) + padHex(SRP_G))}`);

/** x = H(padHex(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)); the salt is canonicalised as the client does. */
export function srpX(saltHex: string, poolName: string, userIdForSrp: string, password: string): bigint {
  const inner = hashUtf8(`${poolName}${userIdForSrp}:${password}`);
  return BigInt(`0x${hashHex(padHex(BigInt(`0x${saltHex}`)) + inner)}`);
}

/** A new salt and verifier v = g^x mod N, as Cognito stores them instead of the password. */
export function createVerifier(poolName: string, userIdForSrp: string, password: string): { salt: string; verifier: string } {
  const salt = padHex(BigInt(`0x${randomBytes(16).toString('hex')}`));
  const v = modPowN(SRP_G, srpX(salt, poolName, userIdForSrp, password));
  return { salt, verifier: v.toString(16) };
}

/** Server ephemeral: b random, B = (k·v + g^b) mod N. */
export function serverEphemeral(verifierHex: string): { b: bigint; B: bigint } {
  const v = BigInt(`0x${verifierHex}`);
  for (;;) {
    const b = BigInt(`0x${randomBytes(128).toString('hex')}`);
    const B = (SRP_K * v + modPowN(SRP_G, b)) % SRP_N;
    if (B !== 0n) return { b, B };
  }
}

/** K = first 16 bytes of HKDF(ikm = padHex(S), salt = padHex(u), info = "Caldera Derived Key"). */
export function hkdfKey(S: bigint, u: bigint): Buffer {
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex'))
    .update(Buffer.from(padHex(S), 'hex'))
    .digest();
  return createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
}

export function srpU(A: bigint, B: bigint): bigint {
  return BigInt(`0x${hashHex(padHex(A) + padHex(B))}`);
}

/** base64(HMAC(K, poolName ‖ userId ‖ secretBlock bytes ‖ timestamp)). */
export function claimSignature(key: Buffer, poolName: string, userIdForSrp: string, secretBlock: string, timestamp: string): Buffer {
  return createHmac('sha256', key)
    .update(
      Buffer.concat([Buffer.from(poolName, 'utf8'), Buffer.from(userIdForSrp, 'utf8'), Buffer.from(secretBlock, 'base64'), Buffer.from(timestamp, 'utf8')]),
    )
    .digest();
}

/**
 * Checks the client's PASSWORD_CLAIM_SIGNATURE for the server state `{A, b, B, v}`. A mod N = 0 and
 * u = 0 are refused (they would let a client prove knowledge of nothing).
 */
export function verifyPasswordClaim(options: {
  A: bigint;
  b: bigint;
  B: bigint;
  verifierHex: string;
  poolName: string;
  userIdForSrp: string;
  secretBlock: string;
  timestamp: string;
  signature: string;
}): boolean {
  const { A, b, B } = options;
  if (A % SRP_N === 0n) return false;
  const u = srpU(A, B);
  if (u === 0n) return false;
  const v = BigInt(`0x${options.verifierHex}`);
  const S = modPowN(A * modPowN(v, u), b);
  const expected = claimSignature(hkdfKey(S, u), options.poolName, options.userIdForSrp, options.secretBlock, options.timestamp);
  const given = Buffer.from(options.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `ddd MMM D HH:mm:ss UTC YYYY`, the client's TIMESTAMP format. */
export function srpTimestamp(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;
}

/** Parses a TIMESTAMP back to epoch ms, or undefined when it is not in the client's format. */
export function parseSrpTimestamp(text: string): number | undefined {
  const m = /^(\w{3}) (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/.exec(text);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]!);
  if (month < 0) return undefined;
  return Date.UTC(Number(m[7]), month, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}
