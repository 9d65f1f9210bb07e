import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sharedReference } from '@forte/protocol/shared-reference';
import { removeProject, runForte } from './forte-runner.js';

const shared = sharedReference('the Gen 1 project corpus', ['corpus/gen1-projects']);
const corpus = shared.dir === undefined ? '' : join(shared.dir, 'corpus/gen1-projects');
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

/** A corpus app's pushed clone: the test's folder, FORTE_HOME, the project root and its amplify-meta.json. */
export interface PushedCorpusApp {
  work: string;
  home: string;
  root: string;
  meta: any;
  /** What the push printed. */
  pushOutput: string;
}

/** The options of describeCorpusBucketPush (what each does is said there). */
export interface CorpusPushOptions {
  /** What the push warns of (each once): a part of the app that deploys, as on AWS, but fails until it is fixed. */
  pushWarnings?: RegExp[];
  secrets?: Record<string, Record<string, string>>;
  prepare?: (root: string) => void;
  frontend?: string;
  /** init's `--categories` (headless values and secrets of the categories, e.g. social sign-in credentials). */
  categories?: Record<string, unknown>;
  /** What else the app's push shows (`what`, in the test's title), checked once its bucket is. */
  afterPush?: { what: string; check: (app: PushedCorpusApp) => Promise<void> };
}

/**
 * One corpus app with content storage, attached with `forte init` and pushed as it is (one app per file, so each
 * end-to-end file stays within the test timeout): its bucket deploys as `<bucketName><stack suffix>-main`. The whole
 * push must succeed, warning of exactly `pushWarnings` (an app's own problem that AWS deploys too, such as a
 * `@function` naming no function) and of nothing else. `prepare` edits the clone first, as a user
 * follows one of Forte's refusals (the files of the storage category are never edited). `secrets` are set first, as a teammate sets a function's
 * secrets after cloning (a repository never holds them). `frontend` is init's `--frontend`; `afterPush` checks the
 * rest of the app in the same test.
 */
export function describeCorpusBucketPush(project: string, bucket: string, options: CorpusPushOptions = {}): void {
  void describe(`forte init + push of the corpus app ${project} with its S3 bucket (built binary, local cloud)`, { skip: shared.skip }, () => {
    let work: string;
    let home: string;
    before(() => {
      work = mkdtempSync(join(tmpdir(), `forte-gen1-s3-${project}-`));
      home = join(work, 'home');
    });
    after(() => removeProject({ work, home }));

    const also = options.afterPush === undefined ? '' : `; ${options.afterPush.what}`;
    void it(`${project}: the bucket ${bucket} deploys from its cli-inputs.json, unchanged${also}`, async () => {
      const root = join(work, project);
      // Each file pushes one app: two in one file would not fit the test timeout on a busy machine.
      cpSync(join(corpus, project, '_snapshot.pre.generate'), root, { recursive: true });
      options.prepare?.(root);
      const frontend = options.frontend === undefined ? [] : ['--frontend', options.frontend];
      const categories = options.categories === undefined ? [] : ['--categories', JSON.stringify(options.categories)];
      const init = await runForte(['init', '--amplify', '{"envName":"main"}', ...frontend, ...categories, '--yes'], { cwd: root, home });
      assert.equal(init.code, 0, init.stderr);
      for (const [name, secrets] of Object.entries(options.secrets ?? {})) {
        const set = await runForte(['update', 'function', '--headless'], { cwd: root, home, stdin: JSON.stringify({ name, secrets }) });
        assert.equal(set.code, 0, set.stderr);
      }
      const push = await runForte(['push', '--yes'], { cwd: root, home });
      assert.equal(push.code, 0, `${push.stdout}\n${push.stderr}`);
      const warnings = push.stderr.split('\n').filter((line) => line.startsWith('⚠'));
      const expected = options.pushWarnings ?? [];
      assert.equal(warnings.length, expected.length, push.stderr);
      expected.forEach((warning, i) => assert.match(warnings[i]!, warning));
      const meta = readJson(join(root, 'amplify/backend/amplify-meta.json'));
      const inputs = readJson(join(root, 'amplify/backend/storage', bucket, 'cli-inputs.json'));
      const stackSuffix = readJson(join(root, 'amplify/team-provider-info.json')).main.awscloudformation.StackName.split('-')[3];
      assert.equal(meta.storage[bucket].output.BucketName, `${inputs.bucketName}${stackSuffix}-main`);
      assert.match(readFileSync(join(root, 'amplify/backend/storage', bucket, 'cli-inputs.json'), 'utf8'), /"policyUUID"/, 'the file is as cloned');
      await options.afterPush?.check({ work, home, root, meta, pushOutput: push.stdout + push.stderr });
    });
  });
}
