import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { callFailure, startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let ssm: SSMClient;
const SECRET = 'hunter2-Sup3rS3cret-value';

before(async () => {
  cloud = await startTestCloud();
  ssm = new SSMClient({ endpoint: `${cloud.url}/ssm/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
});
after(() => cloud.close());

const put = (Name: string, Value: string, extra: Partial<ConstructorParameters<typeof PutParameterCommand>[0]> = {}) =>
  ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', ...extra }));

void describe('SSM Parameter Store', () => {
  void it('puts, overwrites (one version further) and gets a parameter', async () => {
    assert.deepEqual((await put('/app/dev/colour', 'blue', { Description: 'the colour' })).Version, 1);
    const again = await callFailure(put('/app/dev/colour', 'red'));
    assert.equal(again.name, 'ParameterAlreadyExists');
    assert.equal(again.status, 400);
    const second = await ssm.send(new PutParameterCommand({ Name: '/app/dev/colour', Value: 'red', Overwrite: true }));
    assert.equal(second.Version, 2);
    assert.equal(second.Tier, 'Standard');
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/app/dev/colour' }));
    assert.equal(Parameter?.Value, 'red');
    assert.equal(Parameter?.Type, 'String', 'the type stays when an overwrite gives none');
    assert.equal(Parameter?.Version, 2);
    assert.equal(Parameter?.ARN, `arn:aws:ssm:us-east-1:${cloud.kernel.config.accountId}:parameter/app/dev/colour`);
    assert.ok(Parameter?.LastModifiedDate instanceof Date && Math.abs(Parameter.LastModifiedDate.getTime() - Date.now()) < 60_000);
    const described = await ssm.send(new DescribeParametersCommand({}));
    assert.equal(described.Parameters?.find((p) => p.Name === '/app/dev/colour')?.Description, 'the colour', 'the description stays too');
    assert.equal((await ssm.send(new GetParameterCommand({ Name: '/app/dev/colour:2' }))).Parameter?.Selector, ':2');
    assert.equal((await callFailure(ssm.send(new GetParameterCommand({ Name: '/app/dev/colour:1' })))).name, 'ParameterVersionNotFound');
    assert.equal((await callFailure(ssm.send(new GetParameterCommand({ Name: '/app/dev/missing' })))).name, 'ParameterNotFound');
  });

  void it('keeps StringList values and names without a hierarchy', async () => {
    await put('plain-name', 'a,b,c', { Type: 'StringList' });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: 'plain-name' }));
    assert.deepEqual([Parameter?.Type, Parameter?.Value, Parameter?.ARN?.endsWith(':parameter/plain-name')], ['StringList', 'a,b,c', true]);
  });

  void it('refuses names, values and options AWS refuses, naming the problem', async () => {
    const cases: [Promise<unknown>, string, RegExp][] = [
      [put('awsThing', 'x'), 'ValidationException', /prefixed with "aws" or "ssm"/],
      [put('/SSM/thing', 'x'), 'ValidationException', /prefixed with "aws" or "ssm"/],
      [put('a/b', 'x'), 'ValidationException', /fully qualified/],
      [put('/a b', 'x'), 'ValidationException', /letters, digits/],
      [put('/a//b', 'x'), 'ValidationException', /empty level/],
      [put(`/${'a/'.repeat(15)}p`, 'x'), 'HierarchyLevelLimitExceededException', /15 levels/],
      [put(`/${'n'.repeat(1000)}`, 'x'), 'ValidationException', /too long/],
      [put('/big', 'v'.repeat(4097)), 'ValidationException', /maximum parameter value of 4096/],
      [put('/nul', 'a\u0000b'), 'ValidationException', /value holds a NUL character/],
      [put('/nul', 'x', { Description: 'a\u0000b' }), 'ValidationException', /description holds a NUL character/],
      [ssm.send(new PutParameterCommand({ Name: '/untyped', Value: 'x' })), 'ValidationException', /type is required/],
      [put('/pattern', 'x', { AllowedPattern: '^x$' }), 'ValidationException', /AllowedPattern is not supported/],
      [put('/key', 'x', { Type: 'SecureString', KeyId: 'alias/mine' }), 'InvalidKeyId', /KeyId/],
      [ssm.send(new GetParametersByPathCommand({ Path: '/app', MaxResults: 11 })), 'ValidationException', /MaxResults/],
      [ssm.send(new GetParametersByPathCommand({ Path: 'app' })), 'ValidationException', /fully qualified/],
      [
        ssm.send(new GetParametersByPathCommand({ Path: '/app', ParameterFilters: [{ Key: 'Type', Values: ['String'] }] })),
        'ValidationException',
        /ParameterFilters is not supported/,
      ],
      [ssm.send(new GetParametersByPathCommand({ Path: '/app', NextToken: 'bogus' })), 'InvalidNextToken', /NextToken/],
    ];
    // Every call runs at once and answers in any order: each failure is taken as it comes, never left unhandled.
    const failures = cases.map(([call]) => callFailure(call));
    for (const [i, [, code, message]] of cases.entries()) {
      const failure = await failures[i]!;
      assert.equal(failure.name, code, failure.message);
      assert.match(failure.message, message);
    }
    // Advanced parameters take up to 8 KB.
    assert.equal((await put('/big', 'v'.repeat(5000), { Tier: 'Advanced' })).Tier, 'Advanced');
    assert.equal((await put('/big-auto', 'v'.repeat(5000), { Tier: 'Intelligent-Tiering' })).Tier, 'Advanced');
  });

  void it('answers GetParameters with the names it does not know in InvalidParameters', async () => {
    await put('/multi/one', '1');
    await put('/multi/two', '2');
    const answer = await ssm.send(new GetParametersCommand({ Names: ['/multi/one', '/multi/none', '/multi/two', 'bad name'] }));
    assert.deepEqual(
      answer.Parameters?.map((p) => [p.Name, p.Value]),
      [
        ['/multi/one', '1'],
        ['/multi/two', '2'],
      ],
    );
    assert.deepEqual(answer.InvalidParameters, ['/multi/none', 'bad name']);
  });

  void it('lists a path one level or recursively, ten at most per page, with NextToken', async () => {
    for (let i = 0; i < 12; i += 1) await put(`/tree/a/p${String(i).padStart(2, '0')}`, `v${i}`);
    await put('/tree/a/deep/q', 'deep');
    await put('/tree/a_b', 'not under /tree/a');
    await put('/tree/ab', 'not under /tree/a either');
    const names = async (Recursive: boolean, MaxResults?: number): Promise<string[]> => {
      const seen: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ssm.send(new GetParametersByPathCommand({ Path: '/tree/a/', Recursive, MaxResults, NextToken }));
        assert.ok((page.Parameters?.length ?? 0) <= (MaxResults ?? 10));
        seen.push(...(page.Parameters ?? []).map((p) => p.Name!));
        NextToken = page.NextToken;
      } while (NextToken);
      return seen;
    };
    const direct = Array.from({ length: 12 }, (_, i) => `/tree/a/p${String(i).padStart(2, '0')}`);
    assert.deepEqual(await names(false), direct);
    assert.deepEqual(await names(true, 5), ['/tree/a/deep/q', ...direct]);
    const first = await ssm.send(new GetParametersByPathCommand({ Path: '/tree/a', MaxResults: 10 }));
    assert.equal(first.Parameters?.length, 10);
    assert.ok(first.NextToken);
  });

  void it('deletes one parameter or several', async () => {
    await put('/gone/one', '1');
    await put('/gone/two', '2');
    await ssm.send(new DeleteParameterCommand({ Name: '/gone/one' }));
    assert.equal((await callFailure(ssm.send(new DeleteParameterCommand({ Name: '/gone/one' })))).name, 'ParameterNotFound');
    const many = await ssm.send(new DeleteParametersCommand({ Names: ['/gone/two', '/gone/one'] }));
    assert.deepEqual([many.DeletedParameters, many.InvalidParameters], [['/gone/two'], ['/gone/one']]);
    assert.equal((await ssm.send(new GetParametersByPathCommand({ Path: '/gone' }))).Parameters?.length, 0);
  });

  void it('pages DescribeParameters', async () => {
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await ssm.send(new DescribeParametersCommand({ MaxResults: 7, NextToken }));
      seen.push(...(page.Parameters ?? []).map((p) => p.Name!));
      assert.ok(page.Parameters?.every((p) => !('Value' in p)));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(seen, [...seen].sort());
    assert.ok(seen.includes('/tree/a/p11') && seen.includes('plain-name'));
  });

  void it('keeps SecureString values sealed: plaintext only WithDecryption, never in logs, errors or the database', async () => {
    await put('/app/dev/AMPLIFY_fn_TOKEN', SECRET, { Type: 'SecureString' });
    await ssm.send(new PutParameterCommand({ Name: '/app/dev/AMPLIFY_fn_TOKEN', Value: `${SECRET}-2`, Overwrite: true }));
    const hidden = (await ssm.send(new GetParameterCommand({ Name: '/app/dev/AMPLIFY_fn_TOKEN' }))).Parameter;
    assert.equal(hidden?.Type, 'SecureString', 'an overwrite without a type keeps SecureString');
    assert.ok(hidden?.Value && !hidden.Value.includes(SECRET));
    const shown = (await ssm.send(new GetParameterCommand({ Name: '/app/dev/AMPLIFY_fn_TOKEN', WithDecryption: true }))).Parameter;
    assert.equal(shown?.Value, `${SECRET}-2`);
    const listed = await ssm.send(new GetParametersByPathCommand({ Path: '/app/dev' }));
    assert.ok(listed.Parameters?.every((p) => !p.Value?.includes(SECRET)));
    const decrypted = await ssm.send(new GetParametersByPathCommand({ Path: '/app/dev', WithDecryption: true }));
    assert.equal(decrypted.Parameters?.find((p) => p.Name === '/app/dev/AMPLIFY_fn_TOKEN')?.Value, `${SECRET}-2`);
    const many = await ssm.send(new GetParametersCommand({ Names: ['/app/dev/AMPLIFY_fn_TOKEN'], WithDecryption: false }));
    assert.ok(!many.Parameters?.[0]?.Value?.includes(SECRET));
    // Errors about a secret value say what is wrong with it, not what it is.
    const tooLong = await callFailure(put('/app/dev/long', `${SECRET}${'x'.repeat(5000)}`, { Type: 'SecureString' }));
    assert.ok(!tooLong.message.includes(SECRET));
    const exists = await callFailure(put('/app/dev/AMPLIFY_fn_TOKEN', SECRET, { Type: 'SecureString' }));
    assert.ok(!exists.message.includes(SECRET));

    assert.ok(cloud.logs().length > 10, 'the access log has lines');
    assert.ok(!cloud.logs().some((line) => line.includes(SECRET)), 'no log line carries the secret');
    const files = await storedBytes(cloud);
    assert.ok(
      files.some((bytes) => bytes.includes('not under /tree/a either')),
      'what was read is where values are kept',
    );
    assert.ok(!files.some((bytes) => bytes.includes(SECRET)), 'the database does not hold the plaintext');
  });
});

/** What the cloud's database holds: the SQLite files as they are on disk, or every row of the cloud's PostgreSQL schema. */
async function storedBytes(cloud: TestCloud): Promise<Buffer[]> {
  const sql = cloud.kernel.sql;
  if (sql.dialect === 'sqlite')
    return Promise.all(['forte.db', 'forte.db-wal'].map((file) => readFile(join(cloud.dataDir, file)).catch(() => Buffer.alloc(0))));
  const tables = await sql.all<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()');
  return Promise.all(tables.map(async (t) => Buffer.from(JSON.stringify(await sql.all(`SELECT * FROM "${t.table_name}"`)))));
}
