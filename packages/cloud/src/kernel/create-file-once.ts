import { randomBytes } from 'node:crypto';
import { linkSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Creates `file` holding `content` unless it exists, so that other processes see either no file or all of
 * it: the content goes to a temporary file first, hard-linked into place (which fails when the name is
 * taken). A plain `wx` write would let a process starting at the same moment read the file between its
 * creation and its first byte, and take an empty key for a damaged one. Answers whether this call made it.
 * Where the file system has no hard links, falls back to that plain exclusive write.
 */
export function createFileOnce(file: string, content: string, mode: number): boolean {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, content, { mode, flag: 'wx' });
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    try {
      writeFileSync(file, content, { mode, flag: 'wx' });
      return true;
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallbackError;
    }
  } finally {
    rmSync(temp, { force: true });
  }
}
