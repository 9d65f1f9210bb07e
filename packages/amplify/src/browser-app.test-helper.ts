import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/** Debian's Chromium, or FORTE_CHROMIUM; the flags every browser suite of this package launches it with. */
export const CHROMIUM = process.env.FORTE_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

const PACKAGE = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Bundles an app's entry source (JavaScript, JSX allowed) with the package's own aws-amplify, unmodified, into one
 * ES module for the browser; its imports resolve from `resolveDir` (default this package) and `nodePaths`. CSS
 * imports are left out: the suites look at behaviour, not styles.
 */
export async function buildApp(source: string, options: { resolveDir?: string; nodePaths?: string[] } = {}): Promise<string> {
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: options.resolveDir ?? PACKAGE, loader: 'jsx' },
    ...(options.nodePaths ? { nodePaths: options.nodePaths } : {}),
    jsx: 'automatic',
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.css': 'empty' },
    logLevel: 'error',
  });
  const [bundle] = result.outputFiles;
  if (!bundle) throw new Error('esbuild wrote no bundle');
  return bundle.text;
}

export interface ServedApp {
  server: Server;
  /** `http://localhost:<port>/`: localhost is the one http origin Cognito allows as a callback URL. */
  url: string;
  /** What the app reads from `/config.json` (Amplify.configure's argument). */
  setConfig(config: unknown): void;
  close(): Promise<void>;
}

/** The app's dev server: its page, its bundle at `/app.js` and its configuration at `/config.json`. */
export async function serveApp(script: string): Promise<ServedApp> {
  let config: unknown = {};
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/config.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config));
    if (path === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    if (path === '/')
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>app</title><script type="module" src="/app.js"></script><body><div id="root"></div></body>');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `http://localhost:${port}/`,
    setConfig: (value) => (config = value),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
