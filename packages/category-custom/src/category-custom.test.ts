import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { UserError } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import * as custom from './index.js';

const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

void describe('forte add | update | remove custom (AWS CloudFormation)', () => {
  let root: string;
  const dir = (name: string): string => join(root, 'amplify/backend/custom', name);
  const templatePath = (name: string): string => join(dir(name), `${name}-cloudformation-template.json`);
  const backend = (): any => readJson(join(root, 'amplify/backend/backend-config.json'));
  const meta = (): any => readJson(join(root, 'amplify/backend/amplify-meta.json'));
  const run = async (command: string, answers: Record<string, string | boolean | string[]> = {}, subCommands: string[] = []) => {
    const fake = createFakePluginContext(root, { plugin: 'custom', command, answers });
    fake.ctx.input.subCommands = subCommands;
    await custom.executeCommand(fake.ctx);
    return fake;
  };
  const rejects = async (promise: Promise<unknown>, pattern: RegExp): Promise<void> =>
    assert.rejects(promise, (error: Error) => error instanceof UserError && pattern.test(`${error.message} ${(error as UserError).resolution}`));
  const build = (name: string) =>
    custom.build(createFakePluginContext(root, { plugin: 'custom' }).ctx, {
      category: 'custom',
      resourceName: name,
      service: 'customCloudFormation',
      dir: dir(name),
    });
  /** A project with two functions (their templates' outputs) and an API whose template is in build/ only. */
  const withResources = (): void => {
    const write = (path: string, value: unknown): void => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, JSON.stringify(value));
    };
    const functionTemplate = {
      Resources: {},
      Outputs: {
        Name: { Value: 'x' },
        Arn: { Value: 'x' },
        LambdaExecutionRoleArn: { Value: 'x' },
        CloudWatchEventRule: { Condition: 'ShouldNotCreateEnvResources', Value: 'x' },
      },
    };
    write(join(root, 'amplify/backend/function/orders/orders-cloudformation-template.json'), functionTemplate);
    write(join(root, 'amplify/backend/function/mailer/mailer-cloudformation-template.json'), functionTemplate);
    write(join(root, 'amplify/backend/api/shop/build/cloudformation-template.json'), { Resources: {}, Outputs: { GraphQLAPIIdOutput: { Value: 'x' } } });
    const entries = {
      function: { orders: { service: 'Lambda', providerPlugin: 'awscloudformation' }, mailer: { service: 'Lambda', providerPlugin: 'awscloudformation' } },
      api: { shop: { service: 'AppSync', providerPlugin: 'awscloudformation' } },
    };
    write(join(root, 'amplify/backend/backend-config.json'), entries);
    write(join(root, 'amplify/backend/amplify-meta.json'), entries);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-custom-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  void it('adds a CloudFormation stack as Amplify writes it: the commented skeleton and the backend-config entry; it pushes as it is', async () => {
    mkdirSync(join(root, 'amplify/backend'), { recursive: true });
    const fake = await run('add', { 'Provide a name for your custom resource': 'alerts' });
    assert.deepEqual(fake.asked.slice(0, 3), [
      'How do you want to define this custom resource?',
      'Provide a name for your custom resource',
      'Do you want to access Amplify generated resources in your custom CloudFormation file?',
    ]);
    assert.ok(fake.printed.includes('Created skeleton CloudFormation stack in amplify/backend/custom/alerts directory'));
    assert.equal(readFileSync(templatePath('alerts'), 'utf8'), custom.SKELETON);
    assert.match(custom.SKELETON, /\/\/ Define your AWS Resources here/);
    assert.deepEqual(backend().custom, { alerts: { service: 'customCloudFormation', providerPlugin: 'awscloudformation', dependsOn: [] } });
    assert.deepEqual(meta().custom, backend().custom);
    // Its comments are read as Amplify reads them, and so are trailing commas.
    const built = await build('alerts');
    assert.deepEqual(built.template, { AWSTemplateFormatVersion: '2010-09-09', Parameters: { env: { Type: 'String' } }, Resources: {}, Outputs: {} });
    assert.equal(built.sourceFile, 'amplify/backend/custom/alerts/alerts-cloudformation-template.json');
    assert.deepEqual(built.parameters, {});
    writeFileSync(templatePath('alerts'), '{ "Resources": { "Topic": { "Type": "AWS::SNS::Topic", }, }, /* none yet */ }');
    writeFileSync(join(dir('alerts'), 'parameters.json'), '{ "topicName": "alerts", // the topic\n }');
    const edited = await build('alerts');
    assert.deepEqual(edited.template, { Resources: { Topic: { Type: 'AWS::SNS::Topic' } } });
    assert.deepEqual(edited.parameters, { topicName: 'alerts' });
  });

  void it('reads the outputs of the resources it is given access to as parameters, and records them in dependsOn', async () => {
    withResources();
    await run('add', {
      'Provide a name for your custom resource': 'reports',
      'Do you want to access Amplify generated resources': true,
      'Select the categories': 'function, api',
      'Function has 2 resources in this project': 'orders',
    });
    const dependsOn = [
      { category: 'function', resourceName: 'orders', attributes: ['Name', 'Arn', 'LambdaExecutionRoleArn'] },
      { category: 'api', resourceName: 'shop', attributes: ['GraphQLAPIIdOutput'] },
    ];
    assert.deepEqual(backend().custom.reports.dependsOn, dependsOn);
    assert.deepEqual(meta().custom.reports.dependsOn, dependsOn);
    const template = readJson(templatePath('reports'));
    assert.deepEqual(Object.keys(template.Parameters), [
      'env',
      'functionordersName',
      'functionordersArn',
      'functionordersLambdaExecutionRoleArn',
      'apishopGraphQLAPIIdOutput',
    ]);
    assert.deepEqual(template.Parameters.apishopGraphQLAPIIdOutput, {
      Type: 'String',
      Description: 'Input parameter describing GraphQLAPIIdOutput attribute for api/shop resource',
    });

    // The function it reads cannot be removed from under it; update takes the dependencies away.
    const removeFunction = createFakePluginContext(root, { plugin: 'function', command: 'remove' });
    assert.deepEqual((await import('@forte/protocol')).dependentsOf(removeFunction.project.readBackendConfig(), 'function', 'orders'), ['custom reports']);
    const updated = await run('update', { 'Do you want to access Amplify generated resources': false });
    assert.ok(updated.printed.includes('Selected resource reports'));
    assert.deepEqual(backend().custom.reports.dependsOn, []);
  });

  void it('takes the outputs a push recorded when the resource has no template in the project', async () => {
    withResources();
    const entries = backend();
    entries.auth = { users: { service: 'Cognito', providerPlugin: 'awscloudformation' } };
    writeFileSync(join(root, 'amplify/backend/backend-config.json'), JSON.stringify(entries));
    writeFileSync(
      join(root, 'amplify/backend/amplify-meta.json'),
      JSON.stringify({ ...entries, auth: { users: { output: { UserPoolId: 'p', AppClientID: 'c' } } } }),
    );
    assert.deepEqual(custom.outputAttributes(createFakePluginContext(root, { plugin: 'custom' }).project, 'auth', 'users'), ['UserPoolId', 'AppClientID']);
  });

  void it('refuses AWS CDK, a name taken or not alphanumeric, --yes, and a template that is not one, naming the fix', async () => {
    mkdirSync(join(root, 'amplify/backend'), { recursive: true });
    await rejects(run('add', { 'How do you want to define': 'AWS CDK' }), /does not build AWS CDK custom resources .*Choose AWS CloudFormation/);
    await run('add', { 'Provide a name': 'alerts' });
    await rejects(run('add', { 'Provide a name': 'alerts' }), /Custom resource with alerts already exists/);
    await assert.rejects(run('add', { 'Provide a name': 'my-alerts' }), /Use letters and digits only/);
    await rejects(
      custom.executeCommand(createFakePluginContext(root, { plugin: 'custom', command: 'add', yes: true }).ctx),
      /asks its questions in a terminal/,
    );
    writeFileSync(templatePath('alerts'), '{ "Resources": ');
    await rejects(build('alerts'), /alerts-cloudformation-template\.json is not valid JSON/);
    writeFileSync(templatePath('alerts'), '[]');
    await rejects(build('alerts'), /is not a CloudFormation template: it has no Resources/);
    rmSync(templatePath('alerts'));
    await rejects(build('alerts'), /has no alerts-cloudformation-template\.json/);
  });

  void it('removes a resource once confirmed, and not while another depends on it', async () => {
    mkdirSync(join(root, 'amplify/backend'), { recursive: true });
    await run('add', { 'Provide a name': 'alerts' });
    const entries = backend();
    entries.function = { notify: { service: 'Lambda', dependsOn: [{ category: 'custom', resourceName: 'alerts', attributes: ['TopicArn'] }] } };
    writeFileSync(join(root, 'amplify/backend/backend-config.json'), JSON.stringify(entries));
    await rejects(run('remove'), /alerts cannot be removed: function notify depends on it/);
    delete entries.function;
    writeFileSync(join(root, 'amplify/backend/backend-config.json'), JSON.stringify(entries));
    const kept = await run('remove', { 'Are you sure': false });
    assert.ok(kept.printed.includes('Nothing was removed.'));
    assert.ok(existsSync(dir('alerts')));
    const removed = await run('remove', { 'Are you sure': true }, ['alerts']);
    assert.ok(removed.printed.includes('Successfully removed resource alerts locally'));
    assert.equal(existsSync(dir('alerts')), false);
    assert.equal(backend().custom, undefined);
    await rejects(run('remove'), /No custom resources found/);
  });
});
