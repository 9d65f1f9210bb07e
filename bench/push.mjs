#!/usr/bin/env node
// Push of a 20-model schema (docs/benchmarks.md, "Push of a 20-model schema"). Loopback only, in a
// temporary FORTE_HOME, with the built CLI as a user runs it (process start included).
//
// Each run makes a fresh project (`forte init`, `forte add auth`, a first `forte push --yes` of the auth
// alone, then `forte add api --headless` with the generated schema) and times:
// - the first push of the API: 20 models with hasMany/belongsTo relations and owner, group, private and
//   public rules (the API, 20 tables, the schema with its resolver plan, the API key);
// - a push after adding a field to one model;
// - a push with no changes;
// beside `node -e ''` (process start) measured in the same run. After each push, the API answers an
// introspection request with the API key and the added field is there. Medians of BENCH_RUNS runs (default 3).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postJson } from './graphql-deploy.mjs';

const root = new URL('..', import.meta.url).pathname;
const forteBin = join(root, 'packages/cli/dist/bin.js');
const home = mkdtempSync(join(tmpdir(), 'forte-bench-push-home-'));
const env = { ...process.env, FORTE_HOME: home, FORTE_CLOUD_PORT: '0' };
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MODELS = 20;
const results = [];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const forte = (cwd, args, input) => {
  const r = spawnSync(process.execPath, [forteBin, ...args], { cwd, env, encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  if (r.status !== 0) throw new Error(`forte ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
};
const record = (name, value, unit, target, note = '') => {
  results.push({ name, value, unit, target, note });
  console.log(`${name}: ${unit === 'ms' ? `${value.toFixed(0)} ms` : value.toFixed(2)}${target ? `  (target ${target})` : ''}${note ? `  ${note}` : ''}`);
};

const modelName = (i) => `Model${String(i).padStart(2, '0')}`;

/**
 * 20 models in a chain: each has a hasMany to the next and a belongsTo to the previous (with the
 * reference field and its index), scalar fields of several types, and one of four rule sets: owner +
 * static group; owner + private read; owner + public (API key) read; private + group-defined-in-field.
 */
function twentyModelSchema() {
  const rules = [
    '[{ allow: owner }, { allow: groups, groups: ["Admins"] }]',
    '[{ allow: owner }, { allow: private, operations: [read] }]',
    '[{ allow: owner }, { allow: public, provider: apiKey, operations: [read] }]',
    '[{ allow: private }, { allow: groups, groupsField: "editors" }]',
  ];
  const types = ['enum Status { DRAFT ACTIVE DONE }'];
  for (let i = 1; i <= MODELS; i++) {
    const name = modelName(i);
    const fields = [
      '  id: ID!',
      '  name: String!',
      '  description: String',
      '  rank: Int',
      '  score: Float',
      '  active: Boolean',
      '  status: Status',
      '  tags: [String]',
      '  dueAt: AWSDateTime',
    ];
    if (i % 4 === 0) fields.push('  editors: [String]');
    if (i > 1) {
      const parent = modelName(i - 1);
      fields.push(`  ${parent.toLowerCase()}ID: ID! @index(name: "by${parent}", sortKeyFields: ["name"])`);
      fields.push(`  ${parent.toLowerCase()}: ${parent} @belongsTo(fields: ["${parent.toLowerCase()}ID"])`);
    }
    if (i < MODELS) {
      const child = modelName(i + 1);
      fields.push(`  ${child.toLowerCase()}s: [${child}] @hasMany(indexName: "by${name}", fields: ["id"])`);
    }
    types.push(`type ${name} @model @auth(rules: ${rules[i % rules.length]}) {\n${fields.join('\n')}\n}`);
  }
  return `${types.join('\n\n')}\n`;
}

function newProject(name) {
  const dir = mkdtempSync(join(tmpdir(), `forte-bench-${name}-`));
  const frontend = JSON.stringify({
    frontend: 'javascript',
    framework: 'none',
    config: { SourceDir: 'src', DistributionDir: 'dist', BuildCommand: 'node -e ""', StartCommand: 'node -e ""' },
  });
  forte(dir, [
    'init',
    '--amplify',
    JSON.stringify({ projectName: name, envName: 'dev' }),
    '--frontend',
    frontend,
    '--providers',
    '{"awscloudformation":{"configLevel":"project","useProfile":true,"profileName":"default"}}',
    '--yes',
  ]);
  forte(dir, ['add', 'auth', '--yes']);
  forte(dir, ['push', '--yes']);
  const addApi = {
    version: 1,
    serviceConfiguration: {
      serviceName: 'AppSync',
      apiName: name,
      transformSchema: twentyModelSchema(),
      defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' },
      additionalAuthTypes: [{ mode: 'API_KEY', expirationTime: 7 }],
    },
  };
  forte(dir, ['add', 'api', '--headless'], JSON.stringify(addApi));
  return dir;
}

/** The fields of a type, read through the deployed API with its API key (introspection). */
async function deployedFields(project, typeName) {
  const meta = JSON.parse(readFileSync(join(project, 'amplify/backend/amplify-meta.json'), 'utf8'));
  const api = Object.values(meta.api ?? {})[0];
  const url = api?.output?.GraphQLAPIEndpointOutput;
  const key = api?.output?.GraphQLAPIKeyOutput;
  assert.ok(url && key, `amplify-meta.json has the API's endpoint and key: ${JSON.stringify(api?.output)}`);
  const { status, json: body } = await postJson(url, { 'x-api-key': key }, { query: `{ __type(name: "${typeName}") { fields { name } } }` });
  assert.equal(status, 200, JSON.stringify(body));
  return (body.data?.__type?.fields ?? []).map((f) => f.name);
}

const projects = [];
try {
  const baseline = median(Array.from({ length: 7 }, () => time(() => spawnSync(process.execPath, ['-e', '']))));
  record('node -e "" (process start baseline)', baseline, 'ms');
  const first = [];
  const addField = [];
  const noChange = [];
  for (let run = 0; run < RUNS; run++) {
    const project = newProject(`benchpush${run}`);
    projects.push(project);
    first.push(time(() => forte(project, ['push', '--yes'])));
    const fields = await deployedFields(project, modelName(6));
    assert.ok(fields.includes('name') && !fields.includes('priority'), `the first push serves ${modelName(6)}: ${fields.join(', ')}`);

    const apiDir = join(project, 'amplify/backend/api', readdirSync(join(project, 'amplify/backend/api'))[0]);
    const schemaFile = join(apiDir, 'schema.graphql');
    const changed = readFileSync(schemaFile, 'utf8').replace(new RegExp(`(type ${modelName(6)} @model[^\\n]*\\n  id: ID!\\n)`), '$1  priority: Int\n');
    assert.ok(changed.includes('priority: Int'), `the schema file holds ${modelName(6)}`);
    writeFileSync(schemaFile, changed);
    addField.push(time(() => forte(project, ['push', '--yes'])));
    assert.ok((await deployedFields(project, modelName(6))).includes('priority'), 'the push adding a field serves it');
    noChange.push(time(() => forte(project, ['push', '--yes'])));
    console.log(
      `run ${run + 1}: first push ${first.at(-1).toFixed(0)} ms, adding a field ${addField.at(-1).toFixed(0)} ms, no changes ${noChange.at(-1).toFixed(0)} ms`,
    );
  }
  record(`first forte push --yes of a ${MODELS}-model API`, median(first), 'ms', '< 1500 ms', `(${(median(first) / baseline).toFixed(1)}× process start)`);
  record('forte push --yes adding a field', median(addField), 'ms', '< 1500 ms', `(${(median(addField) / baseline).toFixed(1)}× process start)`);
  record('forte push --yes, no changes', median(noChange), 'ms', '', `(${(median(noChange) / baseline).toFixed(1)}× process start)`);
} finally {
  spawnSync(process.execPath, [forteBin, 'cloud', 'stop'], { env, stdio: 'ignore' });
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/push-latest.json'), JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
  for (const dir of [home, ...projects]) rmSync(dir, { recursive: true, force: true });
}
