// What scripts/demo.mjs and scripts/walkthrough.mjs share: a project folder made from one of examples/ (kept in
// $FORTE_HOME/<record>.json, so a second run publishes the same project again), and running the built CLI in it.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';

export const root = new URL('..', import.meta.url).pathname;
export const forte = join(root, 'packages/cli/dist/bin.js');

/** `forte init --frontend` of the example apps: React, built by `npm run-script build` into dist/. */
export const EXAMPLE_FRONTEND = JSON.stringify({
  frontend: 'javascript',
  framework: 'react',
  config: { SourceDir: 'src', DistributionDir: 'dist', BuildCommand: 'npm run-script build', StartCommand: 'npm run-script start' },
});

/**
 * The project of `examples/<example>`: the previous run's (named in $FORTE_HOME/<record>.json) or a new temp
 * folder, with the example's files copied in and node_modules linked to the repository's (the apps'
 * dependencies are installed there). `stopped` names the script in its failure messages.
 */
export function exampleProject({ example, record, stopped }) {
  const home = process.env.FORTE_HOME || join(homedir(), '.forte');
  const recordFile = join(home, `${record}.json`);
  const previous = (() => {
    try {
      const { project: dir } = JSON.parse(readFileSync(recordFile, 'utf8'));
      return typeof dir === 'string' && existsSync(join(dir, 'amplify', 'team-provider-info.json')) ? dir : undefined;
    } catch {
      return undefined;
    }
  })();
  const project = previous ?? mkdtempSync(join(tmpdir(), `forte-${record}-`));
  const skip = new Set(['node_modules', 'dist', 'amplify', 'amplify_outputs.json']);
  cpSync(join(root, 'examples', example), project, { recursive: true, filter: (src) => !skip.has(basename(src)) });
  if (!existsSync(join(project, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'), 'dir');

  /** Runs `forte <args>` in the project (stdin from `input`); a failure ends the script. */
  const run = (args, label, input) => {
    console.log(`\n$ forte ${label ?? args.join(' ')}`);
    const stdio = input === undefined ? 'inherit' : ['pipe', 'inherit', 'inherit'];
    const result = spawnSync(process.execPath, [forte, ...args], { cwd: project, stdio, input });
    if (result.status !== 0) {
      console.error(`\n${stopped}: \`forte ${label ?? args.join(' ')}\` exited with ${result.status}.`);
      process.exit(1);
    }
  };
  /** Records the project, so that the next run publishes it again. */
  const remember = () => {
    mkdirSync(home, { recursive: true });
    writeFileSync(recordFile, `${JSON.stringify({ project })}\n`);
  };
  return { project, previous, run, remember };
}

/**
 * GET of a path of a hosted site. Browsers resolve *.localhost to 127.0.0.1 by themselves; Node does not, so
 * this connects to 127.0.0.1 and sends the site's host name.
 */
export function getFromSite(url, path) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: '127.0.0.1', port: target.port, path, headers: { host: target.host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
