import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type ForteRun, initProject, removeProject, runForte, runForteInTerminal } from './forte-runner.js';

void describe("forte add storage in a terminal, the CRUD template's new table, remove storage (built binary, local cloud)", () => {
  let work: string;
  let home: string;
  let root: string;
  let db: DynamoDBClient;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const meta = (): any => JSON.parse(readFileSync(join(root, 'amplify/backend/amplify-meta.json'), 'utf8'));

  before(async () => {
    ({ work, home, root } = await initProject('forte-storage-tty-', 'stockapp'));
  });
  after(async () => {
    db?.destroy();
    await removeProject({ work, home });
  });

  void it("interactive: Amplify's questions in a terminal write Amplify's cli-inputs.json", async () => {
    const erase = '\x7f'.repeat(24);
    const run = await runForteInTerminal(['add', 'storage'], { cwd: root, home }, [
      [/Select from one of the below mentioned services/, '\x1b[B\r'],
      [/Provide a friendly name/, `${erase}notes\r`],
      [/Provide table name/, `${erase}notes\r`],
      [/What would you like to name this column/, 'id\r'],
      [/Choose the data type/, '\r'],
      [/Would you like to add another column\?/, 'n\r'],
      [/Choose partition key for the table/, '\r'],
      [/Do you want to add a sort key to your table\?/, 'n\r'],
      [/Do you want to add global secondary indexes to your table\?/, 'n\r'],
      [/Do you want to add a Lambda Trigger for your Table\?/, '\r'],
    ]);
    assert.equal(run.code, 0, run.screen);
    assert.match(run.screen, /Successfully added resource notes locally/);
    assert.equal(
      readFileSync(join(root, 'amplify/backend/storage/notes/cli-inputs.json'), 'utf8'),
      JSON.stringify(
        { resourceName: 'notes', tableName: 'notes', partitionKey: { fieldName: 'id', fieldType: 'string' }, gsi: [], triggerFunctions: [] },
        null,
        2,
      ),
    );
  });

  void it('the CRUD function template\'s "Create a new DynamoDB table" walks into the storage questions in a terminal, as in Amplify', async () => {
    const erase = '\x7f'.repeat(24);
    const run = await runForteInTerminal(['add', 'function'], { cwd: root, home }, [
      [/Select which capability you want to add/, '\r'],
      [/Provide an AWS Lambda function name/, `${erase}stockfn\r`],
      [/Choose the runtime that you want to use/, '\r'],
      [/Choose the function template that you want to use/, '\x1b[B\r'],
      [/Choose a DynamoDB data source option/, '\x1b[B\r'],
      [/Provide a friendly name/, `${erase}stock\r`],
      [/Provide table name/, `${erase}stock\r`],
      [/What would you like to name this column/, 'sku\r'],
      [/Choose the data type/, '\r'],
      [/Would you like to add another column\?/, 'n\r'],
      [/Choose partition key for the table/, '\r'],
      [/Do you want to add a sort key to your table\?/, 'n\r'],
      [/Do you want to add global secondary indexes to your table\?/, 'n\r'],
      [/Do you want to add a Lambda Trigger for your Table\?/, '\r'],
      [/Do you want to configure advanced settings\?/, '\r'],
      [/Do you want to edit the local lambda function now\?/, '\r'],
    ]);
    assert.equal(run.code, 0, run.screen);
    assert.match(run.screen, /Successfully added DynamoDb table locally/);
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'amplify/backend/storage/stock/cli-inputs.json'), 'utf8')).partitionKey, {
      fieldName: 'sku',
      fieldType: 'string',
    });
    const config = JSON.parse(readFileSync(join(root, 'amplify/backend/backend-config.json'), 'utf8'));
    assert.deepEqual(config.function.stockfn.dependsOn, [{ category: 'storage', resourceName: 'stock', attributes: ['Name', 'Arn'] }]);
    assert.match(readFileSync(join(root, 'amplify/backend/function/stockfn/src/app.js'), 'utf8'), /const tableName = 'stock'/);
  });

  void it('remove storage: the push deletes a table that holds items only with --allow-data-loss, after saying how many', async () => {
    // The CRUD function (its Express dependencies would be installed from the registry) goes first; then both new tables deploy.
    assert.equal((await forte(['remove', 'function', 'stockfn', '--yes'])).code, 0);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const cloud = JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string };
    const keys = JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    db = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    await db.send(new PutItemCommand({ TableName: 'notes-dev', Item: { id: { S: 'n1' } } }));
    const removed = await forte(['remove', 'storage', 'notes', '--yes']);
    assert.equal(removed.code, 0, removed.stderr);
    const refused = await forte(['push', '--yes']);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stdout + refused.stderr, /DynamoDBTable \(AWS::DynamoDB::Table\) holds 1 item/);
    assert.deepEqual((await db.send(new GetItemCommand({ TableName: 'notes-dev', Key: { id: { S: 'n1' } } }))).Item, { id: { S: 'n1' } }, 'still there');
    const approved = await forte(['push', '--yes', '--allow-data-loss']);
    assert.equal(approved.code, 0, approved.stderr + approved.stdout);
    await assert.rejects(db.send(new GetItemCommand({ TableName: 'notes-dev', Key: { id: { S: 'n1' } } })), /ResourceNotFoundException|not found/i);
    assert.equal(meta().storage.notes, undefined);
    assert.equal(meta().storage.stock.output.Name, 'stock-dev');
  });
  void it("a new trigger function comes from the function category's Lambda trigger template and deploys with the table's stream mapping", async () => {
    const update = await forte(
      ['update', 'storage', '--headless'],
      JSON.stringify({
        version: 1,
        serviceModification: { serviceName: 'DynamoDB', resourceName: 'stock', lambdaTriggers: [{ mode: 'new', name: 'stocktrigger' }] },
      }),
    );
    assert.equal(update.code, 0, update.stderr);
    assert.match(readFileSync(join(root, 'amplify/backend/function/stocktrigger/src/index.js'), 'utf8'), /DynamoDB Record: %j/);
    const template = JSON.parse(readFileSync(join(root, 'amplify/backend/function/stocktrigger/stocktrigger-cloudformation-template.json'), 'utf8'));
    assert.deepEqual(template.Resources.stockTrigger.Properties.EventSourceArn, { Ref: 'storagestockStreamArn' });
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'amplify/backend/storage/stock/cli-inputs.json'), 'utf8')).triggerFunctions, ['stocktrigger']);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(
      push.stdout,
      /functionstocktrigger\.stockTrigger\s.*CREATE_COMPLETE|CREATE_COMPLETE\s+AWS::Lambda::EventSourceMapping\s+functionstocktrigger\.stockTrigger/,
    );
    assert.equal(meta().function.stocktrigger.output.Name, 'stocktrigger-dev');
  });
});
