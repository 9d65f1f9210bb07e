import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (test support for the example apps' browser tests). */
export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

export const CHROMIUM = process.env.FORTE_CHROMIUM ?? '/usr/bin/chromium';
/** Flags for a sandboxed, offline machine: no background connections to Google's hosts. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Why a browser test cannot run here (printed as the skip's reason), or undefined when Chromium is installed. */
export function missingBrowser(what: string): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set FORTE_CHROMIUM)`;
  console.log(`# skipped: ${what}: ${reason}`);
  return reason;
}

/** `forte init --frontend` of the example apps: React, built by `npm run-script build` into dist/. */
export const EXAMPLE_FRONTEND =
  '{"frontend":"javascript","framework":"react","config":{"SourceDir":"src","DistributionDir":"dist","BuildCommand":"npm run-script build","StartCommand":"npm run-script start"}}';

/**
 * A temp folder with FORTE_HOME (`home/`) and a copy of `examples/<name>` (`app/`, without what a build or a
 * push writes), its node_modules linked to the repository's, where its dependencies are installed.
 */
export function copyExampleApp(name: string): { work: string; home: string; root: string } {
  const work = mkdtempSync(join(tmpdir(), `forte-${name}-`));
  const home = join(work, 'home');
  const root = join(work, 'app');
  mkdirSync(home);
  const skip = new Set(['node_modules', 'dist', 'amplify', 'amplify_outputs.json']);
  cpSync(join(REPO, 'examples', name), root, { recursive: true, filter: (src) => !skip.has(basename(src)) });
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  return { work, home, root };
}
