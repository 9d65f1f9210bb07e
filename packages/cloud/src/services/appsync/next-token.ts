import { createCipheriv, createDecipheriv, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto';
import type { TableItem } from '../../kernel/types.js';
import { AppSyncFieldError } from './field-error.js';

const ATTRIBUTE_TYPES = new Set(['S', 'N', 'B']);
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Random nonces drawn at once: one call to the system's generator serves this many tokens. */
const NONCES_PER_DRAW = 256;

/**
 * `nextToken`s of list queries, index queries, sync and hasMany fields. A page's LastEvaluatedKey is the
 * last item the table *read*, which may be one the caller may not see (another owner's, or one whose key
 * field is hidden from the caller), and a key chosen by the caller would say where a query starts in an
 * order the caller may not know. So the key is sealed (AES-256-GCM with the cloud's secret), as AppSync's
 * tokens are encrypted: opaque to the caller, refused when altered, and only valid for the model and
 * index (`scope`) that handed it out.
 */
export interface NextTokenCodec {
  encode(key: TableItem | undefined, scope: string): string | null;
  /** Reads a token back; one this cloud did not hand out for `scope` is refused, never passed to the table. */
  decode(token: string | null | undefined, keyAttributes: readonly string[], scope: string): TableItem | undefined;
  /** Seals any JSON value for `scope` (a sync's position and start time). */
  seal(value: unknown, scope: string): string;
  /** The value `seal` sealed for `scope`; anything else is refused (InvalidNextTokenException). */
  open(token: string, scope: string): unknown;
}

/** A codec sealing with the 32-byte key `secret()` answers (read when a token is made or read). */
export function createNextTokenCodec(secret: () => Buffer): NextTokenCodec {
  const invalid = (): AppSyncFieldError => new AppSyncFieldError('InvalidNextTokenException', 'Invalid pagination token given.');
  // The key as a KeyObject, made again only when `secret()` answers another buffer.
  let keyOf: { secret: Buffer; key: KeyObject } | undefined;
  const sealingKey = (): KeyObject => {
    const current = secret();
    if (keyOf?.secret !== current) keyOf = { secret: current, key: createSecretKey(current) };
    return keyOf.key;
  };
  // Every token still has its own random nonce (the same key sealed twice gives two unrelated tokens);
  // they are drawn from the system's generator NONCES_PER_DRAW at a time, each used once (the cipher and
  // the token copy it before the next is drawn).
  const nonces = Buffer.alloc(IV_BYTES * NONCES_PER_DRAW);
  let nextNonce = nonces.length;
  const nonce = (): Buffer => {
    if (nextNonce === nonces.length) {
      randomFillSync(nonces);
      nextNonce = 0;
    }
    const iv = nonces.subarray(nextNonce, nextNonce + IV_BYTES);
    nextNonce += IV_BYTES;
    return iv;
  };
  const seal = (value: unknown, scope: string): string => {
    const iv = nonce();
    const cipher = createCipheriv('aes-256-gcm', sealingKey(), iv);
    cipher.setAAD(Buffer.from(scope, 'utf8'));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  };
  const open = (token: string, scope: string): unknown => {
    const raw = Buffer.from(token, 'base64');
    if (raw.length <= IV_BYTES + TAG_BYTES) throw invalid();
    try {
      const decipher = createDecipheriv('aes-256-gcm', sealingKey(), raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(scope, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return JSON.parse(Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')) as unknown;
    } catch {
      throw invalid();
    }
  };
  return {
    seal,
    open,
    encode(key, scope) {
      return key ? seal(key, scope) : null;
    },
    decode(token, keyAttributes, scope) {
      if (token === null || token === undefined || token === '') return undefined;
      const parsed = open(token, scope);
      return checkedKey(parsed, keyAttributes, invalid);
    },
  };
}

/** A start key read back from a token: sealed by this cloud, so well formed; checked all the same, as a key that reaches the table must be. */
export function checkedKey(parsed: unknown, keyAttributes: readonly string[], invalid: () => Error): TableItem {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) throw invalid();
  for (const [name, value] of entries) {
    if (!keyAttributes.includes(name) || typeof value !== 'object' || value === null) throw invalid();
    const kinds = Object.entries(value as Record<string, unknown>);
    if (kinds.length !== 1 || !ATTRIBUTE_TYPES.has(kinds[0]![0]) || typeof kinds[0]![1] !== 'string') throw invalid();
  }
  return parsed as TableItem;
}
