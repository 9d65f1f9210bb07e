#!/usr/bin/env node
// Runs every compiled test file (packages/*/dist/**/*.test.js) with node's test runner.
// Usage: node scripts/run-tests.mjs [filter substring...]
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
// `--postgres`: the selected files again, every test cloud on the PostgreSQL test server
// (FORTE_TEST_DATABASE=postgres; FORTE_TEST_POSTGRES_URL, default the machine's local server). When that
// server does not answer, the run is skipped with the reason printed.
const postgres = process.argv[2] === '--postgres';
// Without filters, `--postgres` runs a suite or two of every service and the CLI's pushes (about 90 s);
// `--postgres testing/dist/ cloud/dist/` runs every cloud suite (about 10 min).
const POSTGRES_SUITES = [
  ...['dynamodb-items', 'dynamodb-queries', 'dynamodb-streams', 'appsync-graphql', 'appsync-realtime-amplify', 'appsync-auth-matrix', 'appsync-function.'],
  ...['cognito-amplify', 'identity-amplify', 'iam-role-policies', 's3-objects', 's3-multipart', 's3-triggers.', 'lambda-invoke', 'lambda-events'],
  ...['apigateway-rest', 'ssm-parameters', 'events-schedules', 'kinesis-', 'security-field-oracles', 'security-claims'],
].map((name) => `testing/dist/${name}`);
const given = process.argv.slice(postgres ? 3 : 2);
const filters =
  postgres && given.length === 0 ? [...POSTGRES_SUITES, 'cloud/dist/services/control/', 'cloud/dist/services/kinesis/', 'provider-cloud/dist/push'] : given;
if (postgres) {
  const server = process.env.FORTE_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    console.log(`PostgreSQL runs skipped: ${server} does not answer (${error.message}); start it or set FORTE_TEST_POSTGRES_URL.`);
    process.exit(0);
  } finally {
    await client.end().catch(() => undefined);
  }
  process.env.FORTE_TEST_DATABASE = 'postgres';
  console.log(`on PostgreSQL (${server})`);
}
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.js')) files.push(path);
  }
};
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dist = join(root, 'packages', pkg, 'dist');
  try {
    statSync(dist);
  } catch {
    continue;
  }
  walk(dist);
}
// The repository scripts' own tests (plain JavaScript, not built).
for (const name of readdirSync(join(root, 'scripts'))) if (name.endsWith('.test.mjs')) files.push(join(root, 'scripts', name));
// Filters match the path inside the repository: a checkout's own folder name must not select every file.
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x))).sort();
if (selected.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
console.log(`running ${selected.length} test files`);
// node's test runner applies --test-timeout to each file as a whole (every test in it, and its hooks), as a
// guard against a hung file. The longest file (request-fuzz: every operation fuzzed) takes two minutes on two
// cores shared with a load of 20, and up to nine when the load passes 30, so the guard is fifteen minutes.
const FILE_TIMEOUT_MS = 900_000;
// Beside the TAP stream, the failed tests go to a file that is printed at the end of the run.
mkdirSync(join(root, 'test-artifacts'), { recursive: true });
const failuresFile = join(root, 'test-artifacts', postgres ? 'failures-postgres.txt' : 'failures.txt');
rmSync(failuresFile, { force: true });
const reporters = ['--test-reporter=tap', '--test-reporter-destination=stdout'];
reporters.push(`--test-reporter=${join(root, 'scripts', 'test-failures-reporter.mjs')}`, `--test-reporter-destination=${failuresFile}`);
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', `--test-timeout=${FILE_TIMEOUT_MS}`, ...reporters, ...selected.map((f) => relative(root, f))],
  { cwd: root, stdio: 'inherit', env: { ...process.env, FORTE_REPO_ROOT: root } },
);
let failed = '';
try {
  failed = readFileSync(failuresFile, 'utf8');
} catch {
  // no file: the runner did not start
}
if (failed.trim()) console.log(`\nfailed tests (also in ${relative(root, failuresFile)}):\n${failed}`);
process.exit(result.status ?? 1);
