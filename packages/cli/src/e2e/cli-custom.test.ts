import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { runForteInTerminal, useProject } from './forte-runner.js';

const WRITER = `const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const client = new DynamoDBClient({});
exports.handler = async (event) => {
  await client.send(new PutItemCommand({ TableName: 'audit-' + process.env.ENV, Item: { id: { S: event.id } } }));
  return 'written ' + event.id;
};
`;

void describe('forte add | remove custom (AWS CloudFormation): a stack of its own, pushed, reading a function’s outputs', () => {
  const project = useProject('forte-custom-', 'auditapp');
  const file = (...path: string[]): string => join(project.root, 'amplify/backend', ...path);

  void it("Amplify's walkthrough writes the stack; its table and the policy it gives the function deploy, the function writes to it", async () => {
    const fn = await project.forte(['add', 'function', '--headless'], JSON.stringify({ name: 'writer' }));
    assert.equal(fn.code, 0, fn.stderr + fn.stdout);
    const fnTemplate = file('function/writer/writer-cloudformation-template.json');
    writeFileSync(fnTemplate, readFileSync(fnTemplate, 'utf8').replace(/nodejs\d+\.x/g, `nodejs${process.versions.node.split('.')[0]}.x`));
    writeFileSync(file('function/writer/src/index.js'), WRITER);

    const add = await runForteInTerminal(['add', 'custom'], { cwd: project.root, home: project.home }, [
      [/How do you want to define this custom resource\?/, '\r'],
      [/Provide a name for your custom resource/, 'audit\r'],
      [/Do you want to access Amplify generated resources/, 'y\r'],
      [/Select the categories you want this custom resource to have access to/, 'function\r'],
      [/Do you want to edit the CloudFormation stack now\?/, 'n\r'],
    ]);
    assert.equal(add.code, 0, add.screen);
    assert.match(add.screen, /Created skeleton CloudFormation stack in amplify\/backend\/custom\/audit directory/);
    const backend = project.readJson('amplify/backend/backend-config.json');
    assert.deepEqual(backend.custom.audit, {
      service: 'customCloudFormation',
      providerPlugin: 'awscloudformation',
      dependsOn: [{ category: 'function', resourceName: 'writer', attributes: ['Name', 'Arn', 'Region', 'LambdaExecutionRole', 'LambdaExecutionRoleArn'] }],
    });

    // The user defines the stack (a comment of theirs left in, as Amplify's skeleton has them): a table, and a
    // policy on the function's role that lets it put items.
    const template = project.readJson('amplify/backend/custom/audit/audit-cloudformation-template.json');
    assert.deepEqual(template.Parameters.functionwriterLambdaExecutionRole, {
      Type: 'String',
      Description: 'Input parameter describing LambdaExecutionRole attribute for function/writer resource',
    });
    template.Resources = {
      AuditTable: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          TableName: { 'Fn::Join': ['-', ['audit', { Ref: 'env' }]] },
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        },
      },
      WriterMayPut: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'audit-put',
          Roles: [{ Ref: 'functionwriterLambdaExecutionRole' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: { 'Fn::GetAtt': ['AuditTable', 'Arn'] } }],
          },
        },
      },
    };
    template.Outputs = { TableName: { Value: { Ref: 'AuditTable' } } };
    const templateFile = file('custom/audit/audit-cloudformation-template.json');
    writeFileSync(templateFile, JSON.stringify(template, null, 2).replace('"Resources": {', '"Resources": {\n    // the audit trail'));

    const push = await project.forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.match(push.stdout, /customaudit\.AuditTable/);
    assert.equal(project.readJson('amplify/backend/amplify-meta.json').custom.audit.output.TableName, 'audit-dev');

    const invoke = await project.forte(['function', 'invoke', 'writer', '--event', writeEvent(project.work, { id: 'first' })]);
    assert.equal(invoke.code, 0, invoke.stdout + invoke.stderr);
    assert.match(invoke.stdout, /written first/);
    const cloud = JSON.parse(readFileSync(join(project.home, 'cloud', 'cloud.json'), 'utf8')) as { url: string };
    const admin = JSON.parse(readFileSync(join(project.home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    const dynamodb = new DynamoDBClient({ endpoint: cloud.url, region: 'us-east-1', maxAttempts: 1, credentials: admin });
    try {
      const item = await dynamodb.send(new GetItemCommand({ TableName: 'audit-dev', Key: { id: { S: 'first' } } }));
      assert.deepEqual(item.Item, { id: { S: 'first' } });
    } finally {
      dynamodb.destroy();
    }

    // A type the cloud does not provide: refused before anything is applied, naming it, its logical id and the file.
    const withTopic = structuredClone(template);
    withTopic.Resources.Alerts = { Type: 'AWS::SNS::Topic', Properties: {} };
    writeFileSync(templateFile, JSON.stringify(withTopic));
    const refused = await project.forte(['push', '--yes']);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(
      refused.stderr,
      /Alerts \(stack customaudit, file amplify\/backend\/custom\/audit\/audit-cloudformation-template\.json\): resource type AWS::SNS::Topic is not supported/,
    );
    writeFileSync(templateFile, JSON.stringify(template));

    // An AWS CDK custom resource is named and refused at push.
    const config = project.readJson('amplify/backend/backend-config.json');
    config.custom.charts = { service: 'customCDK', providerPlugin: 'awscloudformation' };
    writeFileSync(file('backend-config.json'), JSON.stringify(config));
    const cdk = await project.forte(['push', '--yes']);
    assert.equal(cdk.code, 1, cdk.stdout + cdk.stderr);
    assert.match(cdk.stderr + cdk.stdout, /custom charts \(service customCDK\)[^\n]*the custom plugin deploys customCloudFormation, not customCDK/);
    delete config.custom.charts;
    writeFileSync(file('backend-config.json'), JSON.stringify(config));

    // Removed: its files and entries go, and the next push deletes its table.
    const remove = await runForteInTerminal(['remove', 'custom'], { cwd: project.root, home: project.home }, [
      [/Are you sure you want to delete the resource\?/, 'y\r'],
    ]);
    assert.equal(remove.code, 0, remove.screen);
    assert.equal(existsSync(file('custom/audit')), false);
    // Its table holds an item: the push says so and asks for an explicit yes to losing it.
    const unapproved = await project.forte(['push', '--yes']);
    assert.equal(unapproved.code, 1, unapproved.stdout + unapproved.stderr);
    assert.match(unapproved.stderr, /--yes alone does not approve losing data/);
    const removed = await project.forte(['push', '--yes', '--allow-data-loss']);
    assert.equal(removed.code, 0, removed.stdout + removed.stderr);
    const after = new DynamoDBClient({ endpoint: cloud.url, region: 'us-east-1', maxAttempts: 1, credentials: admin });
    try {
      await assert.rejects(after.send(new GetItemCommand({ TableName: 'audit-dev', Key: { id: { S: 'first' } } })), { name: 'ResourceNotFoundException' });
    } finally {
      after.destroy();
    }
  });
});

function writeEvent(work: string, event: unknown): string {
  const path = join(work, 'event.json');
  writeFileSync(path, JSON.stringify(event));
  return path;
}
