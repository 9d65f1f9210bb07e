import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface FakeRegistry {
  url: string;
  /** Request paths served, in order. */
  requests: string[];
  /** Publishes `name@version` from files (paths under the package folder); `integrity` overrides the real one. */
  publish(name: string, version: string, files: Record<string, { content: string; mode?: number }>, options?: { integrity?: string }): Promise<void>;
  close(): Promise<void>;
}

/** An npm registry on 127.0.0.1 serving packuments and tarballs built in the test, so no test needs the internet. */
export async function createFakeRegistry(workDir: string): Promise<FakeRegistry> {
  const packages = new Map<
    string,
    Record<string, { dist: { tarball: string; integrity: string; shasum: string }; name: string; version: string; engines?: Record<string, string> }>
  >();
  const tarballs = new Map<string, Buffer>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(req.url ?? '/');
    requests.push(path);
    const tarball = tarballs.get(path);
    if (tarball) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tarball);
      return;
    }
    const versions = packages.get(path.slice(1));
    if (!versions) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      return;
    }
    const name = path.slice(1);
    const latest = Object.keys(versions).pop() ?? '';
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, 'dist-tags': { latest }, versions }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    async publish(name, version, files, options = {}) {
      const dir = join(workDir, 'publish', `${name.replace('/', '+')}-${version}`);
      for (const [path, { content, mode }] of Object.entries(files)) {
        await mkdir(dirname(join(dir, 'package', path)), { recursive: true });
        await writeFile(join(dir, 'package', path), content, { mode: mode ?? 0o644 });
      }
      const file = join(dir, 'package.tgz');
      await run('tar', ['-czf', file, '-C', dir, 'package']);
      const data = await readFile(file);
      const tarballPath = `/${name}/-/${name.split('/').pop()}-${version}.tgz`;
      tarballs.set(tarballPath, data);
      const versions = packages.get(name) ?? {};
      // The packument carries the package.json's engines, as the registry's does (npm chooses by them).
      const engines = files['package.json'] ? (JSON.parse(files['package.json'].content) as { engines?: Record<string, string> }).engines : undefined;
      versions[version] = {
        name,
        version,
        ...(engines ? { engines } : {}),
        dist: {
          tarball: `${url}${tarballPath}`,
          integrity: options.integrity ?? `sha512-${createHash('sha512').update(data).digest('base64')}`,
          shasum: createHash('sha1').update(data).digest('hex'),
        },
      };
      packages.set(name, versions);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
