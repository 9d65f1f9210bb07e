import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GetFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, ListFunctionsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { FUNCTIONS } from '@forte/cloud';
import { strFromU8, unzipSync } from 'fflate';
import { callFailure, deployFunction, deployRole, lambdaClient, startLambdaCloud, type TestCloud } from './index.js';

const ECHO = `exports.handler = async (event, context) => {
  console.log('echo got', JSON.stringify(event));
  if (event.fail) throw new Error('asked to fail');
  if (event.trace) return { trace: process.env._X_AMZN_TRACE_ID ?? null };
  return { event, requestId: context.awsRequestId, clientContext: context.clientContext ?? null, name: context.functionName };
};`;

/** Invokes another function through @aws-sdk/client-lambda from inside a function, with its own role's keys. */
const CALLER = `const { LambdaClient, InvokeCommand, GetFunctionCommand, ListFunctionsCommand } = require('@aws-sdk/client-lambda');
exports.handler = async (event) => {
  const client = new LambdaClient({});
  try {
    if (event.op === 'get') return { ok: (await client.send(new GetFunctionCommand({ FunctionName: event.target }))).Configuration.FunctionName };
    if (event.op === 'list') return { ok: (await client.send(new ListFunctionsCommand({}))).Functions.length };
    if (event.op === 'trace') {
      const out = await client.send(new InvokeCommand({ FunctionName: event.target, Payload: JSON.stringify({ trace: true }) }));
      return { own: process.env._X_AMZN_TRACE_ID, called: JSON.parse(Buffer.from(out.Payload).toString()).trace };
    }
    const out = await client.send(new InvokeCommand({ FunctionName: event.target, Payload: JSON.stringify({ from: 'caller' }) }));
    return { ok: JSON.parse(Buffer.from(out.Payload).toString()) };
  } catch (error) {
    return { error: error.name };
  }
};`;

const json = (payload: Uint8Array | undefined): unknown => JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString('utf8'));

void describe('Lambda Invoke API over HTTP with @aws-sdk/client-lambda', () => {
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let echoArn: string;

  before(async () => {
    cloud = await startLambdaCloud();
    lambda = lambdaClient(cloud);
    echoArn = await deployFunction(cloud, { name: 'echo', files: { 'index.js': ECHO } });
    await deployFunction(cloud, { name: 'secret', files: { 'index.js': ECHO } });
    await deployFunction(cloud, { name: 'throttled', files: { 'index.js': ECHO }, properties: { ReservedConcurrentExecutions: 0 } });
    const callerRole = await deployRole(cloud, 'caller-role', [
      { Effect: 'Allow', Action: ['lambda:InvokeFunction', 'lambda:GetFunction'], Resource: echoArn },
    ]);
    await deployFunction(cloud, { name: 'caller', files: { 'index.js': CALLER }, role: callerRole });
  });
  after(async () => {
    lambda.destroy();
    await cloud.close();
  });

  void it('runs a RequestResponse invocation and answers the handler result with 200 and $LATEST', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ hello: 'world' }) }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, '$LATEST');
    assert.equal(out.FunctionError, undefined);
    const body = json(out.Payload) as { event: unknown; name: string; requestId: string };
    assert.deepEqual(body.event, { hello: 'world' });
    assert.equal(body.name, 'echo');
    assert.match(body.requestId, /^[0-9a-f-]{36}$/);
  });

  void it('accepts the full ARN, a partial ARN and the $LATEST qualifier, and refuses other names', async () => {
    const account = cloud.kernel.config.accountId;
    for (const FunctionName of [echoArn, `${account}:function:echo`, `${echoArn}:$LATEST`]) {
      const out = await lambda.send(new InvokeCommand({ FunctionName, Payload: '{}' }));
      assert.equal(out.StatusCode, 200, FunctionName);
    }
    const other = await callFailure(lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '3', Payload: '{}' })));
    assert.equal(other.name, 'ResourceNotFoundException');
    const region = await callFailure(lambda.send(new InvokeCommand({ FunctionName: echoArn.replace(cloud.kernel.config.region, 'eu-west-3'), Payload: '{}' })));
    assert.equal(region.name, 'ResourceNotFoundException');
  });

  void it('passes the client context and answers the log tail (last 4 KB, base64) with LogType Tail', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { app: 'notes' } })).toString('base64');
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{"tail":1}', LogType: 'Tail', ClientContext: clientContext }));
    const body = json(out.Payload) as { clientContext: { custom: unknown } };
    assert.deepEqual(body.clientContext.custom, { app: 'notes' });
    const tail = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    assert.match(tail, /echo got \{"tail":1\}/);
    assert.match(tail, /REPORT RequestId/);
    const none = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{}' }));
    assert.equal(none.LogResult, undefined);
  });

  void it('answers a function error with 200, X-Amz-Function-Error Unhandled and Lambda error object', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{"fail":true}' }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    const error = json(out.Payload) as { errorType: string; errorMessage: string };
    assert.equal(error.errorType, 'Error');
    assert.equal(error.errorMessage, 'asked to fail');
  });

  void it('answers Event with 202 and DryRun with 204 without running DryRun', async () => {
    const event = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: '{"async":true}' }));
    assert.equal(event.StatusCode, 202);
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun', Payload: '{}' }));
    assert.equal(dry.StatusCode, 204);
    const dryMissing = await callFailure(lambda.send(new InvokeCommand({ FunctionName: 'nope', InvocationType: 'DryRun' })));
    assert.equal(dryMissing.name, 'ResourceNotFoundException');
  });

  void it("answers Lambda's errors: unknown function 404, payload too large 413, not JSON, throttled 429", async () => {
    const missing = await callFailure(lambda.send(new InvokeCommand({ FunctionName: 'nope', Payload: '{}' })));
    assert.deepEqual([missing.name, missing.status], ['ResourceNotFoundException', 404]);
    assert.match(missing.message, /Function not found: arn:aws:lambda:.*:function:nope/);

    const big = await callFailure(lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ s: 'x'.repeat(6 * 1024 * 1024) }) })));
    assert.deepEqual([big.name, big.status], ['RequestTooLargeException', 413]);
    const bigEvent = await callFailure(
      lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: JSON.stringify({ s: 'x'.repeat(300 * 1024) }) })),
    );
    assert.deepEqual([bigEvent.name, bigEvent.status], ['RequestTooLargeException', 413]);

    const notJson = await callFailure(lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: 'not json' })));
    assert.deepEqual([notJson.name, notJson.status], ['InvalidRequestContentException', 400]);

    const throttled = await callFailure(lambda.send(new InvokeCommand({ FunctionName: 'throttled', Payload: '{}' })));
    assert.deepEqual([throttled.name, throttled.status], ['TooManyRequestsException', 429]);
  });

  void it('refuses unsigned calls', async () => {
    const res = await fetch(`${cloud.url}/2015-03-31/functions/echo/invocations`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  });

  void it("lets a function call Lambda with its role's credentials: allowed for echo, AccessDeniedException for another", async () => {
    const allowed = await lambda.send(new InvokeCommand({ FunctionName: 'caller', Payload: JSON.stringify({ target: 'echo' }) }));
    assert.equal(allowed.FunctionError, undefined, Buffer.from(allowed.Payload ?? []).toString());
    assert.deepEqual((json(allowed.Payload) as { ok: { event: unknown } }).ok.event, { from: 'caller' });
    const denied = await lambda.send(new InvokeCommand({ FunctionName: 'caller', Payload: JSON.stringify({ target: 'secret' }) }));
    assert.deepEqual(json(denied.Payload), { error: 'AccessDeniedException' });
    const call = async (payload: unknown) => json((await lambda.send(new InvokeCommand({ FunctionName: 'caller', Payload: JSON.stringify(payload) }))).Payload);
    assert.deepEqual(await call({ op: 'get', target: 'echo' }), { ok: 'echo' });
    assert.deepEqual(await call({ op: 'get', target: 'secret' }), { error: 'AccessDeniedException' });
    assert.deepEqual(await call({ op: 'list' }), { error: 'AccessDeniedException' });
  });

  void it("gives each invocation Lambda's X-Ray trace header in _X_AMZN_TRACE_ID, continuing the caller's trace", async () => {
    const TRACE = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])$/;
    const trace = async (name: string, payload: unknown) =>
      json((await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload) }))).Payload);
    const first = (await trace('echo', { trace: true })) as { trace: string };
    const second = (await trace('echo', { trace: true })) as { trace: string };
    assert.match(first.trace, TRACE);
    assert.equal(TRACE.exec(first.trace)![3], '0', 'not sampled');
    assert.notEqual(TRACE.exec(first.trace)![1], TRACE.exec(second.trace)![1], 'a new trace for each call that names none');
    // The AWS SDK inside the caller sends its trace in X-Amzn-Trace-Id: the function it invokes continues it.
    const chained = (await trace('caller', { op: 'trace', target: 'echo' })) as { own: string; called: string };
    assert.match(chained.own, TRACE);
    assert.match(chained.called, TRACE);
    assert.equal(TRACE.exec(chained.called)![1], TRACE.exec(chained.own)![1], 'the same Root');
    assert.notEqual(TRACE.exec(chained.called)![2], TRACE.exec(chained.own)![2], 'a Parent of its own');
  });

  void it('serves other services through FUNCTIONS: invoke and exists, with the API’s checks', async () => {
    const functions = cloud.kernel.capability(FUNCTIONS);
    assert.equal(await functions.exists('echo'), true);
    assert.equal(await functions.exists(echoArn), true);
    assert.equal(await functions.exists(echoArn.replace(cloud.kernel.config.accountId, '999999999999')), false);
    assert.equal(await functions.exists('nope'), false);
    const out = await functions.invoke(echoArn, '{"via":"capability"}');
    assert.equal(out.statusCode, 200);
    assert.deepEqual((JSON.parse(out.payload ?? '') as { event: unknown }).event, { via: 'capability' });
    const failed = await functions.invoke('echo', '{"fail":true}');
    assert.equal(failed.functionError, 'Unhandled');
    assert.equal((await functions.invoke('echo', '{}', { invocationType: 'DryRun' })).statusCode, 204);
    assert.equal((await functions.invoke('echo', '{}', { invocationType: 'Event' })).statusCode, 202);
    await assert.rejects(functions.invoke('nope', '{}'), (error: { code?: string }) => error.code === 'ResourceNotFoundException');
    await assert.rejects(functions.invoke('echo', 'nope'), (error: { code?: string }) => error.code === 'InvalidRequestContentException');
  });

  void it('answers GetFunction, GetFunctionConfiguration and ListFunctions with pagination', async () => {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    assert.equal(config.FunctionArn, echoArn);
    assert.equal(config.Handler, 'index.handler');
    assert.equal(config.MemorySize, 128);
    assert.equal(config.Timeout, 30);
    assert.match(config.CodeSha256 ?? '', /^[A-Za-z0-9+/]{43}=$/);
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'throttled' }));
    assert.equal(fn.Configuration?.FunctionName, 'throttled');
    assert.equal(fn.Concurrency?.ReservedConcurrentExecutions, 0);
    // Code.Location: a presigned S3 GET of the deployed zip at the cloud's own S3 endpoint, good for 10 minutes.
    assert.equal(fn.Code?.RepositoryType, 'S3');
    const location = new URL(fn.Code?.Location ?? 'missing:');
    assert.equal(location.origin, new URL(cloud.url).origin);
    assert.match(location.pathname, /^\/s3\/[^/]+\/.+/);
    assert.equal(location.searchParams.get('X-Amz-Expires'), '600');
    assert.equal(location.searchParams.get('X-Amz-SignedHeaders'), 'host');
    const download = await fetch(location);
    assert.equal(download.status, 200);
    const zip = Buffer.from(await download.arrayBuffer());
    assert.equal(createHash('sha256').update(zip).digest('base64'), fn.Configuration?.CodeSha256, 'the zip that was deployed');
    assert.equal(strFromU8(unzipSync(zip)['index.js']!), ECHO);
    // The signature covers the object: another key with the same query is refused.
    const tampered = new URL(location);
    tampered.pathname = location.pathname.replace(/[^/]+$/, 'echo.zip');
    assert.equal((await fetch(tampered)).status, 403);
    const missing = await callFailure(lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })));
    assert.equal(missing.name, 'ResourceNotFoundException');

    const names: string[] = [];
    let Marker: string | undefined;
    let pages = 0;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, ...(Marker ? { Marker } : {}) }));
      names.push(...(page.Functions ?? []).map((f) => f.FunctionName ?? ''));
      Marker = page.NextMarker;
      pages += 1;
    } while (Marker);
    assert.deepEqual(names, ['caller', 'echo', 'secret', 'throttled']);
    assert.equal(pages, 2);
  });
});
