import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetFunctionConfigurationCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import {
  CODE_BUCKET,
  NODE_RUNTIME,
  callFailure,
  deployFunction,
  deployRole,
  handlerOf,
  lambdaClient,
  resourceContext,
  startLambdaCloud,
  uploadCode,
  zipOf,
  type TestCloud,
} from './index.js';

const answering = (text: string): string => `exports.handler = async () => ${JSON.stringify(text)};`;
const result = (out: { Payload?: Uint8Array }): unknown => JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8'));

void describe('AWS::Lambda::* resources', () => {
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let role: string;
  const codeDirs = async (): Promise<string[]> => (await readdir(join(cloud.dataDir, 'lambda', 'code')).catch(() => [])).sort();
  const create = (type: string, props: Record<string, unknown>, logicalId = 'Fn') => handlerOf(cloud, type).create(props, resourceContext(cloud, logicalId));
  const functionProps = (key: string, extra: Record<string, unknown> = {}) => ({
    FunctionName: 'bad',
    Handler: 'index.handler',
    Runtime: NODE_RUNTIME,
    Role: role,
    Code: { S3Bucket: CODE_BUCKET, S3Key: key },
    ...extra,
  });

  before(async () => {
    cloud = await startLambdaCloud();
    lambda = lambdaClient(cloud);
    role = await deployRole(cloud, 'fn-role');
  });
  after(async () => {
    lambda.destroy();
    await cloud.close();
  });

  void it('refuses a hostile zip (.., absolute paths, symbolic links) and writes nothing outside the code folder', async () => {
    const hostile: Record<string, Buffer> = {
      '../escaped.js': zipOf({ '../escaped.js': 'x', 'index.js': answering('x') }),
      '/etc/absolute.js': zipOf({ '/tmp/absolute.js': 'x', 'index.js': answering('x') }),
      'nested/../../up.js': zipOf({ 'a/../../up.js': 'x' }),
    };
    hostile.symlink = Buffer.from(zipSync({ 'index.js': [Buffer.from('/etc/passwd'), { os: 3, attrs: 0o120777 * 65536 }] }));
    for (const [name, zip] of Object.entries(hostile)) {
      const key = await uploadCode(cloud, `hostile-${Object.keys(hostile).indexOf(name)}.zip`, zip);
      const failure = await callFailure(create('AWS::Lambda::Function', functionProps(key)));
      assert.match(failure.message, /Could not unzip uploaded file: .*(leaves its folder|absolute path|symbolic link)/, name);
    }
    await assert.rejects(stat(join(cloud.dataDir, 'lambda', 'escaped.js')));
    await assert.rejects(stat(join(cloud.dataDir, 'lambda', 'code', '..', 'escaped.js')));
    assert.deepEqual(await codeDirs(), []);
  });

  void it("fails the deployment with Lambda's messages: missing object, not a zip, a role that does not trust Lambda", async () => {
    const missing = await callFailure(create('AWS::Lambda::Function', functionProps('no-such.zip')));
    assert.match(missing.message, /S3 Error Code: NoSuchKey/);
    const notZip = await callFailure(create('AWS::Lambda::Function', functionProps(await uploadCode(cloud, 'text.zip', Buffer.from('just text')))));
    assert.match(notZip.message, /Could not unzip uploaded file/);
    const untrusting = await deployRole(cloud, 'untrusting', [], {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const key = await uploadCode(cloud, 'ok.zip', zipOf({ 'index.js': answering('ok') }));
    const trust = await callFailure(create('AWS::Lambda::Function', functionProps(key, { Role: untrusting })));
    assert.match(trust.message, /^The role defined for the function cannot be assumed by Lambda\./);
    const noCode = await callFailure(create('AWS::Lambda::Function', { ...functionProps(key), Code: {} }));
    assert.match(noCode.message, /Code needs S3Bucket and S3Key, or ZipFile/);
  });

  void it('redeploys on a code change, shares and collects code folders, and stops a removed function', async () => {
    await deployFunction(cloud, { name: 'v', files: { 'index.js': answering('one') }, role });
    await deployFunction(cloud, { name: 'twin', files: { 'index.js': answering('one') }, role });
    assert.equal((await codeDirs()).length, 1, 'one folder for one zip');
    assert.equal(result(await lambda.send(new InvokeCommand({ FunctionName: 'v' }))), 'one');
    const key = await uploadCode(cloud, 'v2.zip', zipOf({ 'index.js': answering('two') }));
    const props = functionProps(key, { FunctionName: 'v', Environment: { Variables: { A: '1' } } });
    await handlerOf(cloud, 'AWS::Lambda::Function').update('v', props, {}, resourceContext(cloud, 'Fn'));
    assert.equal(result(await lambda.send(new InvokeCommand({ FunctionName: 'v' }))), 'two');
    assert.equal((await codeDirs()).length, 2);
    await handlerOf(cloud, 'AWS::Lambda::Function').delete('twin', {}, resourceContext(cloud, 'Fn'));
    assert.equal((await codeDirs()).length, 1, 'the folder nothing uses is removed');
    const gone = await callFailure(lambda.send(new InvokeCommand({ FunctionName: 'twin' })));
    assert.equal(gone.name, 'ResourceNotFoundException');
    await handlerOf(cloud, 'AWS::Lambda::Function').delete('v', {}, resourceContext(cloud, 'Fn'));
    assert.deepEqual(await codeDirs(), []);
  });

  void it('keeps the new code of every function when a push updates several at once', async () => {
    const names = ['par0', 'par1', 'par2', 'par3'];
    for (const name of names) await deployFunction(cloud, { name, files: { 'index.js': answering(`${name} one`) }, role });
    const keys = await Promise.all(names.map((name) => uploadCode(cloud, `${name}-v2.zip`, zipOf({ 'index.js': answering(`${name} two`) }))));
    // One update's clean-up runs while the others have unpacked their code but not recorded it yet.
    await Promise.all(
      names.map((name, i) =>
        handlerOf(cloud, 'AWS::Lambda::Function').update(name, functionProps(keys[i]!, { FunctionName: name }), {}, resourceContext(cloud, name)),
      ),
    );
    for (const name of names) assert.equal(result(await lambda.send(new InvokeCommand({ FunctionName: name }))), `${name} two`);
    for (const name of names) await handlerOf(cloud, 'AWS::Lambda::Function').delete(name, {}, resourceContext(cloud, name));
  });

  void it('runs inline ZipFile code as index.js', async () => {
    const created = await create('AWS::Lambda::Function', { ...functionProps('unused'), FunctionName: 'inline', Code: { ZipFile: answering('inline') } });
    assert.equal(created.physicalId, 'inline');
    assert.match(String(created.attributes.Arn), /:function:inline$/);
    assert.equal(result(await lambda.send(new InvokeCommand({ FunctionName: 'inline' }))), 'inline');
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'inline' }));
    assert.deepEqual([config.Timeout, config.MemorySize, config.Runtime], [3, 128, NODE_RUNTIME], "Lambda's defaults");
  });

  void it('gives functions their layers (nodejs/node_modules), and refuses a layer that does not exist', async () => {
    const layerKey = await uploadCode(cloud, 'layer.zip', zipOf({ 'nodejs/node_modules/greeting/index.js': "module.exports = (n) => 'hello ' + n;" }));
    const layer = await create(
      'AWS::Lambda::LayerVersion',
      { LayerName: 'shared', Content: { S3Bucket: CODE_BUCKET, S3Key: layerKey }, CompatibleRuntimes: [NODE_RUNTIME] },
      'Layer',
    );
    assert.match(layer.physicalId, /:layer:shared:1$/);
    assert.equal(layer.attributes.LayerVersionArn, layer.physicalId);
    const second = await create('AWS::Lambda::LayerVersion', { LayerName: 'shared', Content: { S3Bucket: CODE_BUCKET, S3Key: layerKey } }, 'Layer');
    assert.match(second.physicalId, /:layer:shared:2$/);
    await create(
      'AWS::Lambda::LayerVersionPermission',
      { LayerVersionArn: layer.physicalId, Action: 'lambda:GetLayerVersion', Principal: '*' },
      'LayerPermission',
    );
    await deployFunction(cloud, {
      name: 'greeter',
      files: { 'index.js': "const greet = require('greeting'); exports.handler = async (e) => greet(e.name);" },
      role,
      properties: { Layers: [layer.physicalId] },
    });
    assert.equal(result(await lambda.send(new InvokeCommand({ FunctionName: 'greeter', Payload: '{"name":"layer"}' }))), 'hello layer');
    const unknown = await callFailure(
      deployFunction(cloud, { name: 'nolayer', files: { 'index.js': answering('x') }, role, properties: { Layers: [`${layer.physicalId.slice(0, -1)}9`] } }),
    );
    assert.match(unknown.message, /Layer version .*:9 does not exist/);
  });

  void it('records permissions and event source mappings (Ref and GetAtt Id)', async () => {
    const permission = await create(
      'AWS::Lambda::Permission',
      { FunctionName: 'inline', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::b' },
      'Permission',
    );
    const stored = await cloud.kernel.sql.get<{ target: string; properties: string }>('SELECT target, properties FROM lambda_policies WHERE id = ?', [
      permission.physicalId,
    ]);
    assert.equal(stored?.target, 'inline');
    assert.equal((JSON.parse(stored!.properties) as { SourceArn: string }).SourceArn, 'arn:aws:s3:::b');
    const mapping = await create(
      'AWS::Lambda::EventSourceMapping',
      { FunctionName: 'inline', EventSourceArn: 'arn:aws:dynamodb:us-east-1:1:table/T/stream/x', StartingPosition: 'LATEST' },
      'Mapping',
    );
    assert.match(mapping.physicalId, /^[0-9a-f-]{36}$/);
    assert.equal(mapping.attributes.Id, mapping.physicalId);
    await handlerOf(cloud, 'AWS::Lambda::EventSourceMapping').delete(mapping.physicalId, {}, resourceContext(cloud, 'Mapping'));
    assert.equal(await cloud.kernel.sql.get('SELECT uuid FROM lambda_event_source_mappings WHERE uuid = ?', [mapping.physicalId]), undefined);
  });
});
