import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/** Prefix of a sealed value: the format version, then the id of the key that sealed it. */
const PREFIX = 'fsec1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The length of a secret key: AES-256. */
export const SECRET_KEY_BYTES = 32;

/**
 * Seals secrets kept in the database (signing keys, temporary secret keys, any future secret) with a
 * key that lives outside it, so a copy of the database alone gives none of them away.
 */
export interface SecretBox {
  /**
   * AES-256-GCM with a fresh nonce. `context` names where the value belongs (table, column, row id) and is
   * authenticated with it: a sealed value copied into another row does not open there.
   */
  seal(plaintext: string, context: string): string;
  /** The plaintext of a value `seal` made with this key and this `context`; throws SecretOpenError otherwise. */
  open(sealed: string, context: string): string;
  /** Whether the value is in the sealed form (by any key): plaintext rows from before sealing are not. */
  isSealed(value: string): boolean;
  /**
   * 32 bytes derived from the key for one `purpose` (HMAC-SHA256): the same on every instance that shares the
   * key, and telling nothing about the key or about what another purpose derives.
   */
  derive(purpose: string): Buffer;
  /** A short public id of the key (part of every sealed value), to tell "another key" from "damaged". */
  readonly keyId: string;
}

/** A sealed value that this key cannot open: sealed by another key, for another context, or altered. */
export class SecretOpenError extends Error {
  override readonly name = 'SecretOpenError';
}

/** A secret box over a 32-byte key. */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== SECRET_KEY_BYTES) throw new Error(`a secret key is ${SECRET_KEY_BYTES} bytes, got ${key.length}`);
  const keyId = createHash('sha256').update('forte secret key id').update(key).digest('hex').slice(0, 12);
  const header = `${PREFIX}${keyId}:`;
  return {
    keyId,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return header + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(sealed, context) {
      if (!sealed.startsWith(PREFIX)) throw new SecretOpenError('the value is not sealed');
      if (!sealed.startsWith(header))
        throw new SecretOpenError(
          `the value was sealed with another secret key (key id ${sealed.slice(PREFIX.length, sealed.indexOf(':', PREFIX.length))}, this one is ${keyId})`,
        );
      const raw = Buffer.from(sealed.slice(header.length), 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretOpenError('the sealed value is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new SecretOpenError(`the sealed value does not open for ${context}: altered, or sealed for another row`, { cause: error });
      }
    },
    isSealed: (value) => value.startsWith(PREFIX),
    derive: (purpose) => createHmac('sha256', key).update(`forte derived key\n${purpose}`).digest(),
  };
}
