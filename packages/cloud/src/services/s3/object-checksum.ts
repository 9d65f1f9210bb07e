import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** The checksum algorithms S3 verifies and keeps with an object (besides MD5, its ETag). */
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** A whole body's checksum as on the wire: base64 of the digest. */
export interface ObjectChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
  /** A multipart object's composite checksum (`<base64>-<parts>`) keeps its parts' checksums, in order. */
  parts?: string[];
}

/** `x-amz-checksum-crc32c`, ...: the header (or aws-chunked trailer) that carries an algorithm's value. */
export const checksumHeader = (algorithm: ChecksumAlgorithm): string => `x-amz-checksum-${algorithm.toLowerCase()}`;

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven; Node has no built-in for it. */
const CRC32C_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function crc32c(chunk: Buffer, previous: number): number {
  let crc = ~previous;
  for (let i = 0; i < chunk.length; i++) crc = CRC32C_TABLE[(crc ^ chunk[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

const crcBytes = (crc: number): string => Buffer.from([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff]).toString('base64');

/** An incremental checksum of one algorithm: `update` with each chunk, then `digest` (base64). */
export function createChecksummer(algorithm: ChecksumAlgorithm): { update(chunk: Buffer): void; digest(): string } {
  switch (algorithm) {
    case 'CRC32':
    case 'CRC32C': {
      const step = algorithm === 'CRC32' ? crc32 : crc32c;
      let crc = 0;
      return { update: (chunk) => void (crc = step(chunk, crc)), digest: () => crcBytes(crc) };
    }
    case 'SHA1':
    case 'SHA256': {
      const hash = createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
      return { update: (chunk) => void hash.update(chunk), digest: () => hash.digest('base64') };
    }
  }
}
