import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { BUILT_IN_SERVICES, createCloud } from '../../server.js';
import { migrationRecorder } from '../../kernel/migration-recorder.js';
import { splitStatements } from '../dialect/sql-statements.js';
import { foldAddColumns } from './fold-add-columns.js';
import { schemaOf, type Db } from './schema-of.test-helper.js';

const run = (statements: string[]): Db => {
  const db = new Database(':memory:');
  for (const statement of statements) db.exec(statement);
  return db;
};

describe('folding ADD COLUMN into the CREATE TABLE of the same batch', () => {
  it('creates the table with the column, after the others and before its constraints, as ADD COLUMN leaves it', () => {
    const batch = [
      'CREATE TABLE a (id TEXT NOT NULL, n INTEGER, PRIMARY KEY (id)) WITHOUT ROWID',
      'CREATE INDEX a_n ON a (n)',
      "CREATE TABLE b (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'x, (y)', FOREIGN KEY (id) REFERENCES c(id))",
      'ALTER TABLE a ADD COLUMN owner TEXT',
      'ALTER TABLE b ADD COLUMN seen INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE a ADD COLUMN lease_until INTEGER',
      'CREATE TABLE c (id INTEGER)',
      "ALTER TABLE c ADD COLUMN label TEXT COLLATE NOCASE DEFAULT 'a;b'",
    ];
    const folded = foldAddColumns(batch);
    assert.equal(folded.length, 4, 'every ADD COLUMN folded');
    assert.ok(!folded.some((s) => /ALTER/i.test(s)));
    assert.deepEqual(schemaOf(run(folded)), schemaOf(run(batch)));
  });

  it('stops at what could see the difference: data written, a table renamed or dropped', () => {
    const batch = [
      'CREATE TABLE a (id TEXT, n INTEGER)',
      "INSERT INTO a VALUES ('x', 1)", // positional: with the column folded in it would fail
      'ALTER TABLE a ADD COLUMN owner TEXT',
      'CREATE TABLE b (id TEXT)',
      'ALTER TABLE b RENAME TO b_old',
      'ALTER TABLE b_old ADD COLUMN extra TEXT',
    ];
    assert.deepEqual(foldAddColumns(batch), batch);
    const db = run(foldAddColumns(batch));
    assert.deepEqual(db.prepare('SELECT * FROM a').all(), [{ id: 'x', n: 1, owner: null }]);
  });

  it('leaves a CREATE TABLE it does not understand as it is', () => {
    const batch = ['CREATE TABLE a (id TEXT -- a comment, (\n)', 'ALTER TABLE a ADD COLUMN owner TEXT'];
    assert.deepEqual(foldAddColumns(batch), batch);
  });

  it('splits a migration at the semicolons that end statements, and not a trigger at all', () => {
    assert.deepEqual(splitStatements("CREATE TABLE a (t TEXT DEFAULT ';');\n  -- one; two\n  CREATE INDEX i ON a (t); /* ; */ "), [
      "CREATE TABLE a (t TEXT DEFAULT ';')",
      '-- one; two\n  CREATE INDEX i ON a (t)',
      '/* ; */',
    ]);
    assert.equal(splitStatements('CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;'), undefined);
    assert.equal(splitStatements("CREATE TABLE a (t TEXT DEFAULT 'unclosed)"), undefined);
  });

  it("gives a new cloud's database the schema that running each migration of every service one by one gives", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-fold-'));
    const { service: recorder, recorded } = migrationRecorder();
    try {
      const cloud = await createCloud({
        dataDir: dir,
        port: 0,
        logLevel: 'warn',
        logStream: { write: () => undefined },
        services: [recorder, ...BUILT_IN_SERVICES],
      });
      await cloud.close();
      const batches = recorded.map(([, migrations]) => migrations.flatMap((m) => splitStatements(m) ?? [m]));
      assert.ok(
        batches.some((statements) => foldAddColumns(statements).length < statements.length),
        'some ADD COLUMN is folded (else this test shows nothing)',
      );
      const folded = new Database(join(dir, 'forte.db'), { readonly: true });
      const oneByOne = new Database(':memory:');
      oneByOne.exec((folded.prepare("SELECT sql FROM sqlite_master WHERE name = 'kernel_settings'").get() as { sql: string }).sql);
      oneByOne.exec('CREATE TABLE schema_migrations (namespace TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (namespace, version))');
      for (const [, migrations] of recorded) for (const migration of migrations) oneByOne.exec(migration);
      const expected = schemaOf(oneByOne);
      const actual = schemaOf(folded);
      assert.deepEqual(Object.keys(actual), Object.keys(expected));
      for (const table of Object.keys(expected)) assert.deepEqual(actual[table], expected[table], table);
      folded.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
