import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, QueryCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand as DocQueryCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { callFailure, startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let client: DynamoDBClient;

/** Sort keys in ascending DynamoDB order, inserted shuffled. */
const numbers = ['-1E+100', '-1000', '-10.5', '-10', '-2', '-0.5', '0', '0.25', '1', '2', '9.99', '10', '100', '1E+20', '1.5E+100'];
const strings = ['A', 'Z', 'a', 'a b', 'ab', 'abc', 'b', 'z', '~', '\u00e9', '\uff5e', '\u{1F600}'];

async function putAll(table: string, items: Record<string, AttributeValue>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}

const shuffle = <T>(values: T[]): T[] =>
  values
    .map((v) => [Math.random(), v] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => v);

/** A table keyed by string `pk` and a `sk` of the given type, on demand, with more definitions when given. */
const createTable = (name: string, sortType: 'S' | 'N', more: Partial<ConstructorParameters<typeof CreateTableCommand>[0]> = {}) =>
  client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      ...more,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: sortType },
        ...(more.AttributeDefinitions ?? []),
      ],
    }),
  );

before(async () => {
  cloud = await startTestCloud();
  client = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
  await createTable('Numbers', 'N');
  await createTable('Strings', 'S');
  await putAll(
    'Numbers',
    shuffle(numbers).map((n, i) => ({ pk: { S: 'p' }, sk: { N: n }, even: { BOOL: numbers.indexOf(n) % 2 === 0 }, i: { N: String(i) } })),
  );
  await putAll('Numbers', [{ pk: { S: 'other' }, sk: { N: '1' } }]);
  await putAll(
    'Strings',
    shuffle(strings).map((s) => ({ pk: { S: 'p' }, sk: { S: s } })),
  );
});
after(() => cloud.close());

const query = (input: Partial<ConstructorParameters<typeof QueryCommand>[0]> & { TableName: string }) =>
  client.send(new QueryCommand({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, ...input }));

void describe('DynamoDB Query and Scan through @aws-sdk/client-dynamodb', () => {
  void it('orders number sort keys numerically, forwards and backwards', async () => {
    const up = await query({ TableName: 'Numbers' });
    assert.deepEqual(
      up.Items?.map((i) => i.sk?.N),
      numbers.map(canonical),
    );
    const down = await query({ TableName: 'Numbers', ScanIndexForward: false });
    assert.deepEqual(
      down.Items?.map((i) => i.sk?.N),
      [...numbers].reverse().map(canonical),
    );
    assert.equal(up.Count, numbers.length);
    assert.equal(up.ScannedCount, numbers.length);
  });

  void it('orders string sort keys by UTF-8 bytes, forwards and backwards', async () => {
    const bytes = [...strings].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(
      (await query({ TableName: 'Strings' })).Items?.map((i) => i.sk?.S),
      bytes,
    );
    assert.deepEqual(
      (await query({ TableName: 'Strings', ScanIndexForward: false })).Items?.map((i) => i.sk?.S),
      [...bytes].reverse(),
    );
  });

  void it('narrows by sort key conditions: comparisons, BETWEEN and begins_with', async () => {
    const sk = async (expression: string, values: Record<string, AttributeValue>, table = 'Numbers') =>
      (
        await query({ TableName: table, KeyConditionExpression: `pk = :p AND ${expression}`, ExpressionAttributeValues: { ':p': { S: 'p' }, ...values } })
      ).Items?.map((i) => i.sk?.N ?? i.sk?.S);
    assert.deepEqual(await sk('sk < :v', { ':v': { N: '-2' } }), ['-1' + '0'.repeat(100), '-1000', '-10.5', '-10']);
    assert.deepEqual(await sk('sk BETWEEN :a AND :b', { ':a': { N: '-0.5' }, ':b': { N: '1' } }), ['-0.5', '0', '0.25', '1']);
    assert.deepEqual(await sk('sk >= :v', { ':v': { N: '100' } }), ['100', '100000000000000000000', '15' + '0'.repeat(99)]);
    assert.deepEqual(await sk('sk = :v', { ':v': { N: '10.0' } }), ['10']);
    assert.deepEqual(await sk('begins_with(sk, :v)', { ':v': { S: 'a' } }, 'Strings'), ['a', 'a b', 'ab', 'abc']);
    const refused = await callFailure(
      query({
        TableName: 'Numbers',
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':p': { S: 'p' }, ':v': { N: '1' } },
      }),
    );
    assert.equal(refused.name, 'ValidationException');
    assert.match(
      (await callFailure(query({ TableName: 'Numbers', KeyConditionExpression: 'sk = :p', ExpressionAttributeValues: { ':p': { N: '1' } } }))).message,
      /Query condition missed key schema element: pk/,
    );
    assert.match(
      (await callFailure(query({ TableName: 'Numbers', KeyConditionExpression: 'pk = :p OR pk = :p' }))).message,
      /Invalid operator used in KeyConditionExpression: OR/,
    );
  });

  void it('pages with Limit and ExclusiveStartKey in both directions', async () => {
    for (const forward of [true, false]) {
      const seen: string[] = [];
      let start: Record<string, AttributeValue> | undefined;
      let pages = 0;
      do {
        const page = await query({ TableName: 'Numbers', Limit: 4, ScanIndexForward: forward, ExclusiveStartKey: start });
        seen.push(...(page.Items ?? []).map((i) => i.sk!.N!));
        start = page.LastEvaluatedKey;
        if (start) assert.deepEqual(Object.keys(start).sort(), ['pk', 'sk']);
        pages++;
      } while (start);
      assert.deepEqual(seen, (forward ? numbers : [...numbers].reverse()).map(canonical));
      assert.equal(pages, 4, '15 items in pages of 4, the last one short');
    }
  });

  void it('counts Limit before the filter, as DynamoDB does, and answers Select COUNT', async () => {
    const page = await query({
      TableName: 'Numbers',
      Limit: 5,
      FilterExpression: 'even = :t',
      ExpressionAttributeValues: { ':p': { S: 'p' }, ':t': { BOOL: true } },
    });
    assert.equal(page.ScannedCount, 5);
    assert.equal(page.Count, 3);
    assert.deepEqual(
      page.Items?.map((i) => i.sk?.N),
      ['-1' + '0'.repeat(100), '-10.5', '-2'],
    );
    assert.deepEqual(page.LastEvaluatedKey, { pk: { S: 'p' }, sk: { N: '-2' } });
    const count = await query({
      TableName: 'Numbers',
      Select: 'COUNT',
      FilterExpression: 'even = :t',
      ExpressionAttributeValues: { ':p': { S: 'p' }, ':t': { BOOL: true } },
    });
    assert.equal(count.Items, undefined);
    assert.equal(count.Count, 8);
    assert.equal(count.ScannedCount, 15);
  });

  void it('projects attributes and scans the whole table with a filter', async () => {
    const projected = await query({ TableName: 'Numbers', Limit: 1, ProjectionExpression: '#i', ExpressionAttributeNames: { '#i': 'i' } });
    assert.deepEqual(Object.keys(projected.Items?.[0] ?? {}), ['i']);
    const scan = await client.send(new ScanCommand({ TableName: 'Numbers', FilterExpression: 'sk = :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));
    assert.deepEqual(scan.Items?.map((i) => i.pk?.S).sort(), ['other', 'p']);
    assert.equal(scan.ScannedCount, numbers.length + 1);
    const paged: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: 'Numbers', Limit: 7, ExclusiveStartKey: start }));
      paged.push(...(page.Items ?? []).map((i) => `${i.pk?.S}/${i.sk?.N}`));
      start = page.LastEvaluatedKey;
    } while (start);
    assert.equal(new Set(paged).size, numbers.length + 1);
  });

  void it('cuts pages at 1 MB and continues from LastEvaluatedKey', async () => {
    await createTable('Big', 'N');
    const payload = 'x'.repeat(100 * 1024);
    await putAll(
      'Big',
      Array.from({ length: 14 }, (_, i) => ({ pk: { S: 'p' }, sk: { N: String(i) }, payload: { S: payload } })),
    );
    const first = await query({ TableName: 'Big' });
    assert.ok(first.Count! >= 10 && first.Count! < 14, `a page stops after about 1 MB (got ${first.Count})`);
    assert.ok(first.LastEvaluatedKey);
    const rest = await query({ TableName: 'Big', ExclusiveStartKey: first.LastEvaluatedKey });
    assert.equal(first.Count! + rest.Count!, 14);
    assert.equal(rest.LastEvaluatedKey, undefined);
  });

  void it('reads on past a batch of rows: 250 index entries whose sort keys tie, each once and in order, both ways, filtered or not', async () => {
    // The engine reads a page in batches of rows and starts each batch after the last row of the one before; with
    // sort keys that tie, where the next batch starts is decided by the table key that follows the index key.
    await createTable('Ties', 'N', {
      AttributeDefinitions: [
        { AttributeName: 'g', AttributeType: 'S' },
        { AttributeName: 's', AttributeType: 'N' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byG',
          KeySchema: [
            { AttributeName: 'g', KeyType: 'HASH' },
            { AttributeName: 's', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    const items = Array.from({ length: 250 }, (_, i) => ({ pk: `p${String(i % 7)}`, sk: Math.floor(i / 7), s: i % 3, odd: i % 2 === 1 }));
    await putAll(
      'Ties',
      shuffle(items).map((t) => ({ pk: { S: t.pk }, sk: { N: String(t.sk) }, g: { S: 'same' }, s: { N: String(t.s) }, odd: { BOOL: t.odd } })),
    );
    // DynamoDB's order within the index: its sort key, then the table's key (the partition key's bytes, then the number).
    const ordered = [...items].sort((a, b) => a.s - b.s || (a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : 0) || a.sk - b.sk);
    const name = (i: Record<string, AttributeValue>): string => `${i.s!.N}/${i.pk!.S}/${i.sk!.N}`;
    const expected = ordered.map((t) => `${t.s}/${t.pk}/${t.sk}`);
    const byG = (input: Partial<ConstructorParameters<typeof QueryCommand>[0]>) =>
      client.send(
        new QueryCommand({
          TableName: 'Ties',
          IndexName: 'byG',
          KeyConditionExpression: 'g = :g',
          ExpressionAttributeValues: { ':g': { S: 'same' } },
          ...input,
        }),
      );
    const up = await byG({});
    assert.equal(up.LastEvaluatedKey, undefined);
    assert.deepEqual(up.Items?.map(name), expected);
    const down = await byG({ ScanIndexForward: false });
    assert.deepEqual(down.Items?.map(name), [...expected].reverse());
    const odd = await byG({ FilterExpression: 'odd = :t', ExpressionAttributeValues: { ':g': { S: 'same' }, ':t': { BOOL: true } } });
    assert.equal(odd.ScannedCount, 250);
    assert.deepEqual(
      odd.Items?.map(name),
      ordered.filter((t) => t.odd).map((t) => `${t.s}/${t.pk}/${t.sk}`),
    );
    // Limit past a batch, then on from its LastEvaluatedKey.
    const first = await byG({ Limit: 180 });
    const rest = await byG({ ExclusiveStartKey: first.LastEvaluatedKey });
    assert.deepEqual([...first.Items!, ...rest.Items!].map(name), expected);
    const scanned = await client.send(new ScanCommand({ TableName: 'Ties' }));
    assert.equal(new Set(scanned.Items?.map(name)).size, 250);
  });

  void it('pages through lib-dynamodb paginateQuery', async () => {
    const doc = DynamoDBDocumentClient.from(client);
    const seen: number[] = [];
    for await (const page of paginateQuery(
      { client: doc, pageSize: 6 },
      { TableName: 'Numbers', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'p' }, ScanIndexForward: false },
    )) {
      seen.push(...(page.Items ?? []).map((i) => Number(i.sk)));
    }
    assert.deepEqual(seen, [...numbers].reverse().map(Number));
    const one = await doc.send(
      new DocQueryCommand({ TableName: 'Numbers', KeyConditionExpression: 'pk = :p AND sk = :s', ExpressionAttributeValues: { ':p': 'other', ':s': 1 } }),
    );
    assert.deepEqual(one.Items, [{ pk: 'other', sk: 1 }]);
  });
});

/** How the cloud writes a number back: plain decimal notation, no superfluous zeros. */
function canonical(n: string): string {
  const m = /^(-?)(\d+(?:\.\d+)?)(?:E\+(\d+))?$/.exec(n)!;
  if (!m[3]) return n;
  const [whole = '', fraction = ''] = m[2]!.split('.');
  return m[1]! + whole + fraction.padEnd(Number(m[3]), '0');
}
