#!/usr/bin/env node
// Runs ScyllaDB's Alternator test suite (test/alternator of github.com/scylladb/scylladb: pytest + boto3)
// against Forte Cloud's DynamoDB API, and tallies the results per test file. Not part of `npm test`:
// docs/conformance.md says how to get the suite and what the figures are.
//
//   node scripts/conformance/alternator.mjs --suite DIR [--json FILE] [--failures] [-- PYTEST ARGS...]
//
// DIR is a folder holding the suite's test/alternator (or test/alternator itself). The script:
// 1. starts the cloud's bin (packages/cloud/dist/bin.cjs, `npm run build` first) on a free loopback port in a
//    temporary data folder whose admin access key is "cassandra" (the role the suite's conftest signs as),
//    looking for expired items every half second (TTL_SWEEP_MS);
// 2. copies the suite into a temporary folder next to stand-ins for the parts of ScyllaDB's test tree the
//    suite imports (alternator-shim/: its test/ package root, skip helpers, and a Cassandra driver stand-in
//    that hands the conftest the admin secret and finds no CQL host);
// 3. runs `python3 -m pytest --runxfail` on it with `--url <cloud>/dynamodb`, minus the exclusions below
//    (the suite's xfail marks are ScyllaDB's own gaps: the tests still check DynamoDB's behaviour);
// 4. prints passed / failed / skipped per file, the total, and the share of applicable tests passed.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const shim = new URL('./alternator-shim', import.meta.url).pathname;
const cloudBin = join(root, 'packages/cloud/dist/bin.cjs');

/**
 * Test files that do not apply to Forte, with the reason. A file here is not run and not counted.
 * Scylla-specific: these test ScyllaDB's own features or internals, not the DynamoDB API.
 */
export const EXCLUDED_FILES = {
  'test_audit.py': "ScyllaDB's audit log (read through CQL)",
  'test_cql_rbac.py': "ScyllaDB's CQL roles and permissions",
  'test_cql_schema.py': 'Alternator tables seen through CQL',
  'test_encoding.py': "Alternator's internal encoding of items in CQL tables",
  'test_expression_caching.py': "Alternator's expression cache, observed through ScyllaDB's metrics",
  'test_logs.py': "ScyllaDB's log file",
  'test_metrics.py': "ScyllaDB's Prometheus metrics",
  'test_no_exception.py': "ScyllaDB's internal exception counters (metrics)",
  'test_scylla.py': 'ScyllaDB-only extensions (system tables, REST API)',
  'test_service_levels.py': "ScyllaDB's service levels (CQL)",
  'test_system_tables.py': "ScyllaDB's system tables",
  'test_tablets.py': "ScyllaDB's tablets",
  'test_tracing.py': "ScyllaDB's tracing tables",
  'test_vector.py': "ScyllaDB's vector search extension",
  'test_write_isolation.py': "ScyllaDB's write isolation modes (a ScyllaDB setting)",
  'test_https.py': "ScyllaDB's TLS port (Forte serves TLS through a reverse proxy)",
  'test_streams_tablets.py': 'DynamoDB Streams with ScyllaDB tablets',
  'test_backup.py': 'Backups (DescribeContinuousBackups, point-in-time recovery): not part of Forte',
};

/**
 * Single tests that do not apply, by node id (file::name, a parametrized name matching all its cases),
 * with the reason.
 */
const UNDECODABLE_BODY =
  'deliberate difference: DynamoDB answers a body that does not decode as its Content-Encoding with HTTP 500; Forte answers 400 SerializationException (a client error is never a 500 here)';
export const EXCLUDED_TESTS = {
  'test_compressed_request.py::test_garbage_content_encoding': UNDECODABLE_BODY,
  'test_compressed_request.py::test_broken_gzip_content': UNDECODABLE_BODY,
  'test_compressed_request.py::test_gzip_request_with_missing_character': UNDECODABLE_BODY,
  'test_compressed_request.py::test_gzip_request_empty': UNDECODABLE_BODY,
  'test_compressed_request.py::test_deflate_request_empty': UNDECODABLE_BODY,
  'test_compressed_request.py::test_deflate_request_not_deflated': UNDECODABLE_BODY,
  'test_gsi_composite_keys.py::test_gsi_composite_base_pk_ck_as_range':
    "checks Alternator's own reporting: it expects DescribeTable to leave out a RANGE attribute (a3) the request gave",
};

/** A failure whose message matches one of these is not counted: a feature Forte refuses by design, or a ScyllaDB-only setup. */
export const NOT_COUNTED = [
  {
    pattern: /Forte does not support the legacy parameter/,
    reason:
      'the legacy parameters (Expected, KeyConditions, QueryFilter, ScanFilter, AttributesToGet, AttributeUpdates, ConditionalOperator): Forte speaks expressions only',
  },
  {
    pattern: /\.scylla\.alternator\./,
    reason: "ScyllaDB's system tables (the test reads or sets a ScyllaDB setting through .scylla.alternator.system.config)",
  },
];

function parseArgs(argv) {
  const args = { suite: process.env.ALTERNATOR_SUITE, json: undefined, failures: false, pytest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.pytest = argv.slice(i + 1);
      break;
    } else if (a === '--suite') args.suite = argv[++i];
    else if (a === '--json') args.json = argv[++i];
    else if (a === '--failures') args.failures = true;
    else {
      console.error(`Unknown option ${a}. Usage: node scripts/conformance/alternator.mjs --suite DIR [--json FILE] [--failures] [-- PYTEST ARGS]`);
      process.exit(2);
    }
  }
  if (!args.suite) {
    console.error('--suite DIR (or ALTERNATOR_SUITE) is required: a checkout of scylladb holding test/alternator (docs/conformance.md).');
    process.exit(2);
  }
  return args;
}

function suiteDir(dir) {
  for (const candidate of [join(dir, 'test/alternator'), dir]) {
    if (existsSync(join(candidate, 'conftest.py')) && existsSync(join(candidate, 'util.py'))) return resolve(candidate);
  }
  console.error(`${dir} holds no test/alternator (conftest.py and util.py): see docs/conformance.md.`);
  process.exit(2);
}

/**
 * How often the cloud looks for expired items (config.json's dynamodb.ttlSweepIntervalMs): half a second, as
 * ScyllaDB's own test configuration sets alternator_ttl_period_in_seconds, so the TTL tests that wait for an
 * expiry run (the plugin answers their question about the period with this).
 */
const TTL_SWEEP_MS = 500;

async function startCloud(dataDir, secret) {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'admin-credentials.json'), JSON.stringify({ accessKeyId: 'cassandra', secretAccessKey: secret }), { mode: 0o600 });
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ dynamodb: { ttlSweepIntervalMs: TTL_SWEEP_MS } }));
  const child = spawn(process.execPath, [cloudBin, '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, FORTE_HOME: dataDir },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const runtime = join(dataDir, 'cloud.json');
  for (let waited = 0; waited < 30_000; waited += 50) {
    if (child.exitCode !== null) throw new Error(`the cloud exited (${child.exitCode}): ${stderr}`);
    if (existsSync(runtime)) {
      try {
        const { url } = JSON.parse(readFileSync(runtime, 'utf8'));
        if (url) return { child, url };
      } catch {
        // still being written
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill();
  throw new Error(`the cloud did not start in 30 s: ${stderr}`);
}

function tally(lines) {
  // The last line of a test wins, except that an error (a failed teardown) outranks a pass.
  const byId = new Map();
  for (const line of lines) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    const prev = byId.get(r.id);
    if (prev && prev.outcome === 'failed') continue;
    byId.set(r.id, r.outcome === 'error' ? { ...r, outcome: 'failed' } : r);
  }
  const files = new Map();
  const notImplemented = new Map();
  const failures = [];
  for (const r of byId.values()) {
    const file = basename(r.id.split('::')[0]);
    const row = files.get(file) ?? { passed: 0, failed: 0, skipped: 0, notImplemented: 0 };
    files.set(file, row);
    if (r.outcome === 'failed') {
      const ni = NOT_COUNTED.find((n) => n.pattern.test(r.message));
      if (ni) {
        row.notImplemented++;
        notImplemented.set(ni.reason, (notImplemented.get(ni.reason) ?? 0) + 1);
        continue;
      }
      failures.push(r);
    }
    row[r.outcome]++;
  }
  return { files, notImplemented, failures };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const suite = suiteDir(args.suite);
  if (!existsSync(cloudBin)) {
    console.error(`${cloudBin} is missing: run \`npm run build\` first.`);
    process.exit(2);
  }
  const probe = spawnSync('python3', ['-c', 'import boto3, pytest, requests'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.error(
      `python3 with boto3, pytest and requests is needed (Debian: apt-get install -y python3-boto3 python3-pytest python3-requests):\n${probe.stderr}`,
    );
    process.exit(2);
  }

  const work = mkdtempSync(join(tmpdir(), 'forte-alternator-'));
  const secret = randomBytes(30).toString('base64');
  let cloud;
  try {
    cpSync(shim, work, { recursive: true });
    cpSync(suite, join(work, 'test/alternator'), { recursive: true });
    writeFileSync(
      join(work, 'pytest.ini'),
      [
        '[pytest]',
        'markers =',
        '    veryslow: very slow tests',
        '    skip_env(reason): skipped for a missing environment requirement',
        '    skip_bug(link, reason): skipped for a known bug',
        'filterwarnings =',
        '    ignore::DeprecationWarning',
        '    ignore::urllib3.exceptions.InsecureRequestWarning',
        '',
      ].join('\n'),
    );
    cloud = await startCloud(join(work, 'cloud'), secret);
    const results = join(work, 'results.jsonl');
    const ignores = Object.keys(EXCLUDED_FILES).map((f) => `--ignore=test/alternator/${f}`);
    const deselects = Object.keys(EXCLUDED_TESTS).map((t) => `--deselect=test/alternator/${t}`);
    const pytestArgs = [
      '-m',
      'pytest',
      '-p',
      'forte_alternator_plugin',
      '-p',
      'no:cacheprovider',
      '--runxfail',
      '-q',
      '--tb=short',
      '-o',
      'console_output_style=classic',
      `--url=${cloud.url}/dynamodb`,
      ...ignores,
      ...deselects,
      ...(args.pytest.length > 0 ? args.pytest : ['test/alternator']),
    ];
    console.log(`Forte Cloud at ${cloud.url}; suite ${suite}`);
    const py = spawn('python3', pytestArgs, {
      cwd: work,
      stdio: ['ignore', process.env.ALTERNATOR_VERBOSE ? 'inherit' : 'ignore', 'inherit'],
      env: {
        ...process.env,
        PYTHONPATH: work,
        PYTHONDONTWRITEBYTECODE: '1',
        FORTE_ALTERNATOR_SECRET: secret,
        FORTE_ALTERNATOR_RESULTS: results,
        FORTE_ALTERNATOR_TTL_PERIOD: String(TTL_SWEEP_MS / 1000),
      },
    });
    await new Promise((r) => py.on('exit', r));
    const { files, notImplemented, failures } = tally(existsSync(results) ? readFileSync(results, 'utf8').split('\n') : []);

    const total = { passed: 0, failed: 0, skipped: 0, notImplemented: 0 };
    const rows = [...files.entries()].sort(([a], [b]) => a.localeCompare(b));
    console.log(`\n${'file'.padEnd(36)} ${'passed'.padStart(6)} ${'failed'.padStart(6)} ${'skipped'.padStart(7)} ${'refused'.padStart(7)}`);
    for (const [file, r] of rows) {
      for (const k of Object.keys(total)) total[k] += r[k];
      console.log(
        `${file.padEnd(36)} ${String(r.passed).padStart(6)} ${String(r.failed).padStart(6)} ${String(r.skipped).padStart(7)} ${String(r.notImplemented).padStart(7)}`,
      );
    }
    const applicable = total.passed + total.failed;
    const share = applicable === 0 ? 0 : (100 * total.passed) / applicable;
    console.log(
      `${'total'.padEnd(36)} ${String(total.passed).padStart(6)} ${String(total.failed).padStart(6)} ${String(total.skipped).padStart(7)} ${String(total.notImplemented).padStart(7)}`,
    );
    console.log(`\nApplicable (passed + failed): ${applicable}; passed ${total.passed} = ${share.toFixed(1)}%`);
    console.log(`Skipped by the suite itself (needs ScyllaDB's REST API, CQL, --runveryslow, ...): ${total.skipped}`);
    for (const [reason, n] of notImplemented) console.log(`Not counted: ${n} tests needing ${reason}`);
    console.log(`Excluded files: ${Object.keys(EXCLUDED_FILES).length} (see EXCLUDED_FILES in this script)`);
    if (args.failures) {
      console.log('\nFailures:');
      for (const f of failures.sort((a, b) => a.id.localeCompare(b.id))) console.log(`${f.id}\n    ${f.message}`);
    }
    if (args.json) writeFileSync(args.json, JSON.stringify({ total, applicable, share, files: Object.fromEntries(rows), failures }, null, 2));
  } finally {
    cloud?.child.kill();
    if (cloud) await new Promise((r) => (cloud.child.exitCode !== null ? r() : cloud.child.on('exit', r)));
    if (!process.env.ALTERNATOR_KEEP) rmSync(work, { recursive: true, force: true });
    else console.log(`Kept ${work}`);
  }
}

await main();
