#!/usr/bin/env node
// Runs Ceph's S3 compatibility suite (s3tests/functional/test_s3.py of github.com/ceph/s3-tests: pytest +
// boto3) against Forte Cloud's S3 API and tallies the results. Not part of `npm test`: docs/conformance.md
// says how to get the suite, what is counted and what the figures are.
//
//   node scripts/conformance/s3-tests.mjs --suite DIR [--json FILE] [--failures] [-- PYTEST ARGS...]
//
// DIR is a checkout of ceph/s3-tests (holding s3tests/functional). The script:
// 1. starts the cloud's bin (packages/cloud/dist/bin.cjs, `npm run build` first) on a free loopback port in a
//    temporary data folder whose admin key it chooses, and writes the suite's s3tests.conf with that key
//    for its main user (Forte has one account: the alt and tenant users get the same key, and the tests that
//    need another account are not counted);
// 2. runs `python3 -m pytest` on test_s3.py with a plugin (s3-tests-shim/) that points the suite at the
//    path-style endpoint `<cloud>/s3`, skips the tests of features Forte does not have (listed with the
//    reason) and records each outcome;
// 3. prints passed / failed / not applicable, the share of applicable tests passed, failures by kind, and
//    how many requests the cloud answered with a 5xx (none is the rule) and whether it still answers.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const shim = new URL('./s3-tests-shim', import.meta.url).pathname;
const cloudBin = join(root, 'packages/cloud/dist/bin.cjs');
/** Debian's python3 (python3-boto3, python3-pytest, ...) unless S3TESTS_PYTHON names another. */
const python = process.env.S3TESTS_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const PYTHON_MODULES = ['boto3', 'pytest', 'munch', 'isodate', 'pytz', 'dateutil', 'requests', 'yaml'];

function parseArgs(argv) {
  const args = { suite: process.env.S3TESTS_SUITE, json: undefined, failures: false, pytest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.pytest = argv.slice(i + 1);
      break;
    } else if (a === '--suite') args.suite = argv[++i];
    else if (a === '--json') args.json = argv[++i];
    else if (a === '--failures') args.failures = true;
    else {
      console.error(`Unknown option ${a}. Usage: node scripts/conformance/s3-tests.mjs --suite DIR [--json FILE] [--failures] [-- PYTEST ARGS]`);
      process.exit(2);
    }
  }
  if (!args.suite) {
    console.error('--suite DIR (or S3TESTS_SUITE) is required: a checkout of ceph/s3-tests (docs/conformance.md).');
    process.exit(2);
  }
  const suite = resolve(args.suite);
  if (!existsSync(join(suite, 's3tests/functional/test_s3.py'))) {
    console.error(`${suite} holds no s3tests/functional/test_s3.py: see docs/conformance.md.`);
    process.exit(2);
  }
  return { ...args, suite };
}

async function startCloud(dataDir, credentials) {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'admin-credentials.json'), JSON.stringify(credentials), { mode: 0o600 });
  const child = spawn(process.execPath, [cloudBin, '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORTE_HOME: dataDir },
  });
  const log = { text: '', serverErrors: [] };
  const watch = (d) => {
    log.text = (log.text + d).slice(-20_000);
    for (const line of String(d).split('\n')) {
      if (/"status":5\d\d/.test(line) || /"level":"error"/.test(line)) log.serverErrors.push(line.slice(0, 400));
    }
  };
  child.stdout.on('data', watch);
  child.stderr.on('data', watch);
  const runtime = join(dataDir, 'cloud.json');
  for (let waited = 0; waited < 30_000; waited += 50) {
    if (child.exitCode !== null) throw new Error(`the cloud exited (${child.exitCode}): ${log.text}`);
    if (existsSync(runtime)) {
      try {
        const { url } = JSON.parse(readFileSync(runtime, 'utf8'));
        if (url) return { child, url, log };
      } catch {
        // still being written
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill();
  throw new Error(`the cloud did not start in 30 s: ${log.text}`);
}

function suiteConf({ url, credentials }) {
  const { hostname, port } = new URL(url);
  const user = (name, id) =>
    [
      `[s3 ${name}]`,
      `display_name = forte`,
      `user_id = ${id}`,
      `email = ${name}@forte.invalid`,
      `access_key = ${credentials.accessKeyId}`,
      `secret_key = ${credentials.secretAccessKey}`,
    ].join('\n');
  return [
    '[DEFAULT]',
    `host = ${hostname}`,
    `port = ${port}`,
    'is_secure = False',
    'ssl_verify = False',
    '[fixtures]',
    'bucket prefix = forte-{random}-',
    user('main', '000000000000'),
    user('alt', '000000000000'),
    `${user('tenant', '000000000000')}\ntenant = forte`,
    ...['iam', 'iam root', 'iam alt root'].map((name) =>
      [
        `[${name}]`,
        `access_key = ${credentials.accessKeyId}`,
        `secret_key = ${credentials.secretAccessKey}`,
        'user_id = 000000000000',
        'email = iam@forte.invalid',
        'display_name = forte',
      ].join('\n'),
    ),
    '',
  ].join('\n');
}

/** Kinds of tests for the pass/fail table, by test name (first match wins; docs/conformance.md shows the table). */
export const KINDS = [
  ['checksums and GetObjectAttributes', /checksum|cksum|attributes/],
  ['copies (CopyObject, UploadPartCopy)', /copy/],
  ['multipart uploads', /multipart|upload_part|_part_|abort|list_uploads|get_part/],
  ['CORS', /cors/],
  ['presigned URLs and signatures', /presigned|expires|authenticated|raw_put|signature|auth_/],
  ['object listings (v1, v2, delimiters, prefixes, markers)', /bucket_list|listv2|list_objects|bucket_list_|_list_/],
  ['buckets (create, head, delete, naming, list buckets)', /bucket|list_buckets/],
  ['objects (put, get, head, delete, metadata, conditions, ranges)', /./],
];
const kindOfTest = (id) => KINDS.find(([, pattern]) => pattern.test(id.split('::').pop()))[0];

/** Failures grouped by the S3 error (or assertion) that ended them, biggest group first. */
function kindOf(message) {
  const code = /An error occurred \(([^)]+)\)/.exec(message)?.[1];
  if (code) return `error ${code}`;
  const status = /assert (\d{3}) == (\d{3})/.exec(message);
  if (status) return `status ${status[1]} (expected ${status[2]})`;
  return message.split(':')[0].slice(0, 60) || 'unknown';
}

/**
 * Failures that say nothing about Forte: the installed boto3 refused the call before sending it (Debian's
 * boto3 is older than the suite and lacks some parameters, such as IfMatch on PutObject or CRC64NVME).
 */
export const NOT_COUNTED = [{ pattern: /ParamValidationError/, reason: 'the installed boto3 does not know a parameter the test sends (ParamValidationError)' }];

function tally(lines) {
  const byId = new Map();
  for (const line of lines) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    const prev = byId.get(r.id);
    if (prev && prev.outcome === 'failed') continue;
    byId.set(r.id, r.outcome === 'error' ? { ...r, outcome: 'failed' } : r);
  }
  const total = { passed: 0, failed: 0, notApplicable: 0, skipped: 0 };
  const notApplicable = new Map();
  const failures = [];
  const byKind = new Map();
  for (const r of byId.values()) {
    const na = /^(?:Skipped: )?not applicable: (.*)$/.exec(r.message);
    if (r.outcome === 'skipped' && na) {
      const reason = na[1];
      total.notApplicable++;
      notApplicable.set(reason, (notApplicable.get(reason) ?? 0) + 1);
      continue;
    }
    const notCounted = r.outcome === 'failed' ? NOT_COUNTED.find((n) => n.pattern.test(r.message)) : undefined;
    if (notCounted) {
      total.notApplicable++;
      notApplicable.set(notCounted.reason, (notApplicable.get(notCounted.reason) ?? 0) + 1);
      continue;
    }
    total[r.outcome]++;
    if (r.outcome === 'failed') failures.push(r);
    if (r.outcome === 'passed' || r.outcome === 'failed') {
      const row = byKind.get(kindOfTest(r.id)) ?? { passed: 0, failed: 0 };
      row[r.outcome]++;
      byKind.set(kindOfTest(r.id), row);
    }
  }
  return { total, notApplicable, failures, byKind };
}

async function stillAnswers(url) {
  try {
    const res = await fetch(`${url}/s3/`, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status < 500;
  } catch {
    return false;
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(cloudBin)) {
    console.error(`${cloudBin} is missing: run \`npm run build\` first.`);
    process.exit(2);
  }
  const probe = spawnSync(python, ['-c', `import ${PYTHON_MODULES.join(', ')}`], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.error(
      `${python} with ${PYTHON_MODULES.join(', ')} is needed (Debian: apt-get install -y python3-boto3 python3-pytest python3-munch python3-isodate python3-tz python3-dateutil python3-requests python3-yaml):\n${probe.stderr}`,
    );
    process.exit(2);
  }

  const work = mkdtempSync(join(tmpdir(), 'forte-s3-tests-'));
  const credentials = {
    accessKeyId: 'FKIAS3TESTS' + randomBytes(5).toString('hex').toUpperCase().slice(0, 9),
    secretAccessKey: randomBytes(30).toString('base64'),
  };
  let cloud;
  try {
    cloud = await startCloud(join(work, 'cloud'), credentials);
    const conf = join(work, 's3tests.conf');
    writeFileSync(conf, suiteConf({ url: cloud.url, credentials }), { mode: 0o600 });
    const results = join(work, 'results.jsonl');
    const pytestArgs = [
      '-m',
      'pytest',
      '-p',
      'forte_s3tests_plugin',
      '-p',
      'no:cacheprovider',
      '-q',
      '--tb=short',
      '-o',
      'console_output_style=classic',
      ...(args.pytest.length > 0 ? args.pytest : ['s3tests/functional/test_s3.py']),
    ];
    console.log(`Forte Cloud at ${cloud.url}; suite ${args.suite}`);
    const py = spawn(python, pytestArgs, {
      cwd: args.suite,
      stdio: ['ignore', process.env.S3TESTS_VERBOSE ? 'inherit' : 'ignore', 'inherit'],
      env: {
        ...process.env,
        PYTHONPATH: [shim, args.suite].join(':'),
        PYTHONDONTWRITEBYTECODE: '1',
        S3TEST_CONF: conf,
        FORTE_S3_ENDPOINT: `${cloud.url}/s3`,
        FORTE_S3TESTS_RESULTS: results,
      },
    });
    await new Promise((r) => py.on('exit', r));
    const { total, notApplicable, failures, byKind } = tally(existsSync(results) ? readFileSync(results, 'utf8').split('\n') : []);
    const applicable = total.passed + total.failed;
    const share = applicable === 0 ? 0 : (100 * total.passed) / applicable;
    console.log(`\npassed ${total.passed}, failed ${total.failed}: ${share.toFixed(1)}% of ${applicable} applicable`);
    console.log(`skipped by the suite itself: ${total.skipped}; not applicable (features Forte does not have): ${total.notApplicable}`);
    for (const [reason, n] of [...notApplicable].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${reason}`);
    console.log('by kind of test (passed / failed):');
    for (const [kind] of KINDS)
      if (byKind.has(kind)) console.log(`  ${kind.padEnd(64)} ${String(byKind.get(kind).passed).padStart(4)} ${String(byKind.get(kind).failed).padStart(4)}`);
    const kinds = new Map();
    for (const f of failures) kinds.set(kindOf(f.message), (kinds.get(kindOf(f.message)) ?? 0) + 1);
    if (kinds.size > 0) console.log('failures by kind:');
    for (const [kind, n] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${kind}`);
    const alive = cloud.child.exitCode === null && (await stillAnswers(cloud.url));
    console.log(`cloud answers 5xx or logged errors: ${cloud.log.serverErrors.length}; still answering at the end: ${alive ? 'yes' : 'NO'}`);
    for (const line of cloud.log.serverErrors.slice(0, 20)) console.log(`  ${line}`);
    if (args.failures) {
      console.log('\nFailures:');
      for (const f of failures.sort((a, b) => a.id.localeCompare(b.id))) console.log(`${f.id}\n    ${f.message}`);
    }
    if (args.json)
      writeFileSync(
        args.json,
        JSON.stringify(
          {
            total,
            applicable,
            share,
            byKind: Object.fromEntries(byKind),
            notApplicable: Object.fromEntries(notApplicable),
            serverErrors: cloud.log.serverErrors,
            alive,
            failures,
          },
          null,
          2,
        ),
      );
  } finally {
    cloud?.child.kill();
    if (cloud) await new Promise((r) => (cloud.child.exitCode !== null ? r() : cloud.child.on('exit', r)));
    if (!process.env.S3TESTS_KEEP) rmSync(work, { recursive: true, force: true });
    else console.log(`Kept ${work}`);
  }
}

await main();
