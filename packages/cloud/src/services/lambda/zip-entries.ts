/** One entry of a zip's central directory, as far as installing it safely needs. */
export interface ZipEntry {
  name: string;
  uncompressedSize: number;
  isDirectory: boolean;
  /** Unix permission bits when the zip was made on a Unix host (so executables stay executable). */
  unixMode: number | undefined;
}

/** Why a zip cannot be installed, in words fit for a deployment's error. */
export class BadZipError extends Error {
  override readonly name = 'BadZipError';
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const UNIX_HOST = 3;
const FILE_TYPE_MASK = 0o170000;
const SYMLINK_TYPE = 0o120000;

/**
 * Reads a zip's central directory and refuses what would escape or subvert the folder it is unpacked into
 * (zip slip): absolute paths, `..` segments, symbolic links. fflate unpacks the bytes; this decides what
 * may be written, before anything is.
 */
export function readZipEntries(zip: Uint8Array): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  const count = view.getUint16(eocd + 10, true);
  const centralOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || centralOffset === 0xffffffff)
    throw new BadZipError('ZIP64 archives are not supported: zip the code without ZIP64 (it is under 4 GB).');
  const entries: ZipEntry[] = [];
  let at = centralOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.byteLength || view.getUint32(at, true) !== CENTRAL_SIGNATURE)
      throw new BadZipError('the zip file is damaged: its central directory is cut short.');
    const madeOnHost = view.getUint8(at + 5);
    const uncompressedSize = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const externalAttributes = view.getUint32(at + 38, true);
    if (at + 46 + nameLength > zip.byteLength) throw new BadZipError('the zip file is damaged: an entry name is cut short.');
    const name = Buffer.from(zip.subarray(at + 46, at + 46 + nameLength)).toString('utf8');
    const unixMode = madeOnHost === UNIX_HOST ? externalAttributes >>> 16 : undefined;
    checkEntryName(name);
    if (unixMode !== undefined && (unixMode & FILE_TYPE_MASK) === SYMLINK_TYPE) {
      throw new BadZipError(`the zip holds a symbolic link (${name}): Forte does not unpack links; zip the files they point to instead.`);
    }
    entries.push({ name, uncompressedSize, isDirectory: name.endsWith('/'), unixMode });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function checkEntryName(name: string): void {
  if (name.length === 0 || name.includes('\0')) throw new BadZipError('the zip holds an entry without a valid name.');
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) {
    throw new BadZipError(`the zip holds an entry with an absolute path (${name}): zip paths relative to the code's root.`);
  }
  if (name.split(/[/\\]/).some((segment) => segment === '..')) {
    throw new BadZipError(`the zip holds an entry that leaves its folder (${name}): remove ".." from the paths.`);
  }
}

function findEndOfCentralDirectory(view: DataView): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const lowest = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let at = view.byteLength - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) === EOCD_SIGNATURE) return at;
  }
  throw new BadZipError('the code is not a zip file (no end of central directory record).');
}
