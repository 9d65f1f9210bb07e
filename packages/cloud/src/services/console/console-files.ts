import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The console's built files, which `npm run build` (scripts/build-console.mjs) writes into the cloud's
 * `dist/console/`, each with `.gz` and `.br` copies. The cloud runs either from tsc's output, where this
 * module is in dist/services/console/, or from the bundle in dist/bundle/, one level below dist/.
 */
const CANDIDATES = ['../../console/', '../console/'];

export function locateConsoleFiles(moduleUrl: string): string | undefined {
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, moduleUrl));
    if (existsSync(join(path, 'index.html'))) return path;
  }
  return undefined;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** One file as served: its bytes, compressed copies where the build made them, type and caching. */
export interface ConsoleFile {
  body: Buffer;
  gzip: Buffer | undefined;
  brotli: Buffer | undefined;
  contentType: string;
  /** Hashed assets never change under their name; index.html is asked again every time. */
  cacheControl: string;
}

/** Reads every file of the folder once (a few hundred KB), keyed by its path under it (`assets/x.js`). */
export function readConsoleFiles(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.gz') && !name.endsWith('.br')) {
        const key = relative(dir, path).split(sep).join('/');
        const copy = (suffix: string): Buffer | undefined => (existsSync(path + suffix) ? readFileSync(path + suffix) : undefined);
        files.set(key, {
          body: readFileSync(path),
          gzip: copy('.gz'),
          brotli: copy('.br'),
          contentType: TYPES[extname(name)] ?? 'application/octet-stream',
          cacheControl: key.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
      }
    }
  };
  walk(dir);
  return files;
}
