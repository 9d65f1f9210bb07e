/**
 * A real Gen 1 project's function template deployed as written, through the control API, beside the
 * API it imports from: the API's nested template (built by this plugin from the project's schema)
 * exports its tables as Amplify's transformer does, and the function's IAM part (role, execution policy,
 * resource policy and the stream trigger policies, with their Conditions and Fn::ImportValue) resolves
 * against those exports. The Lambda resources are left out until a service handles their types; with
 * a type no service handles, the change set is refused, naming the type, the logical id and the file,
 * and nothing is applied.
 */
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { templateSchema, type Template } from '@forte/protocol';
import { sharedReference } from '@forte/protocol/shared-reference';
import { ControlCallError, createFakePluginContext, createTestControlClient, startTestCloud, type TestCloud, type TestControlClient } from '@forte/testing';
import * as plugin from './index.js';

const PROJECT = 'corpus/gen1-projects/discussions-multi-ddb/_snapshot.pre.generate';
const FUNCTION_FILE = 'amplify/backend/function/recorduseractivity/recorduseractivity-cloudformation-template.json';
const shared = sharedReference('the Gen 1 project corpus', [PROJECT]);
const LAMBDA_TYPES = /^AWS::Lambda::/;

/** A writable copy of the project's API folder (the corpus is read-only; a build writes build/). */
function copyApi(from: string, root: string): string {
  const dir = join(root, 'amplify/backend/api/discussions');
  cpSync(join(from, 'amplify/backend/api/discussions'), dir, { recursive: true });
  const writable = (path: string): void => {
    chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) writable(join(path, name));
  };
  writable(root);
  // Only the function's IAM part is deployed here, and the cloud refuses a schema whose @function names a
  // function that does not exist: the query it serves goes (the function's own tests cover @function).
  const schemaFile = join(dir, 'schema.graphql');
  const schema = readFileSync(schemaFile, 'utf8');
  // A type left with no field goes too.
  const withoutFunctions = schema
    .split('\n')
    .filter((line) => !line.includes('@function('))
    .join('\n')
    .replace(/type \w+ \{\s*\}\n?/g, '');
  if (withoutFunctions === schema) throw new Error('the corpus schema no longer has the @function field this test removes');
  writeFileSync(schemaFile, withoutFunctions);
  return dir;
}

/**
 * The function template without its Lambda resources. `Ref LambdaFunction` (the function's name) becomes
 * the expression of its FunctionName, which is what the Ref answers; outputs naming the function go too.
 */
function withoutLambda(template: Template): Template {
  const functionName = template.Resources['LambdaFunction']?.Properties?.['FunctionName'];
  const swap = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(swap);
    if (!value || typeof value !== 'object') return value;
    if ((value as { Ref?: unknown }).Ref === 'LambdaFunction') return functionName;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swap(v)]));
  };
  const resources = Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => !LAMBDA_TYPES.test(r.Type)));
  const outputs = Object.fromEntries(Object.entries(template.Outputs ?? {}).filter(([, o]) => !JSON.stringify(o).includes('LambdaFunction')));
  return { ...template, Resources: swap(resources) as Template['Resources'], Outputs: outputs };
}

void describe('a real function template deployed as written', { skip: shared.skip }, () => {
  let cloud: TestCloud;
  let control: TestControlClient;
  let root: string;
  let api: { template: Template; parameters: Record<string, unknown> };
  let functionTemplate: Template;

  before(async () => {
    cloud = await startTestCloud();
    control = createTestControlClient(cloud);
    root = mkdtempSync(join(tmpdir(), 'forte-function-imports-'));
    const project = join(shared.dir!, PROJECT);
    const dir = copyApi(project, root);
    const { ctx } = createFakePluginContext(root, { plugin: 'api' });
    const built = await plugin.build(ctx, { category: 'api', resourceName: 'discussions', service: 'AppSync', dir });
    api = { template: built.template, parameters: built.parameters ?? {} };
    functionTemplate = templateSchema.parse(JSON.parse(readFileSync(join(project, FUNCTION_FILE), 'utf8')));
  });
  after(async () => {
    await cloud?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** The root stack a push builds: the API, and the function with the API attributes it depends on. */
  const changeSetOf = (appId: string, fn: Template) => ({
    appId,
    envName: 'dev',
    template: {
      Resources: {
        apidiscussions: {
          Type: 'Forte::Stack',
          Properties: { TemplateURL: 'api/discussions.json', Parameters: { ...api.parameters, env: 'dev', AppId: appId } },
        },
        functionrecorduseractivity: {
          Type: 'Forte::Stack',
          Properties: {
            TemplateURL: 'function/recorduseractivity.json',
            Parameters: {
              env: 'dev',
              deploymentBucketName: 'amplify-discussions-dev-deployment',
              s3Key: 'amplify-builds/recorduseractivity-build.zip',
              apidiscussionsGraphQLAPIIdOutput: { 'Fn::GetAtt': ['apidiscussions', 'Outputs.GraphQLAPIIdOutput'] },
              apidiscussionsGraphQLAPIEndpointOutput: { 'Fn::GetAtt': ['apidiscussions', 'Outputs.GraphQLAPIEndpointOutput'] },
            },
          },
        },
      },
    },
    nestedTemplates: { 'api/discussions.json': api.template, 'function/recorduseractivity.json': fn },
    nestedTemplateFiles: { 'function/recorduseractivity.json': FUNCTION_FILE },
  });

  void it('refuses types no service handles before anything is applied, naming each type, logical id, stack and file', async () => {
    const { app } = await control.call('CreateApp', { name: 'Refused' });
    await control.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    // The template as written, plus a dead-letter queue: a type no service of Forte handles.
    const edited: Template = { ...functionTemplate, Resources: { ...functionTemplate.Resources, DeadLetters: { Type: 'AWS::SQS::Queue', Properties: {} } } };
    const refusal = await control.call('CreateChangeSet', changeSetOf(app.appId, edited)).then(
      () => assert.fail('the change set was accepted'),
      (error: unknown) => error,
    );
    assert.ok(refusal instanceof ControlCallError);
    assert.equal(refusal.code, 'ValidationException');
    // Until a lambda service handles them, the function and its three stream mappings are refused as well.
    const unknown = Object.entries(edited.Resources)
      .filter(([, r]) => cloud.kernel.resourceHandler(r.Type) === undefined)
      .map(
        ([id, r]) =>
          `${id} (stack functionrecorduseractivity, file ${FUNCTION_FILE}): resource type ${r.Type} is not supported (no service of this cloud handles it)`,
      );
    assert.ok(unknown.some((line) => line.startsWith(`DeadLetters (stack functionrecorduseractivity, file ${FUNCTION_FILE}): resource type AWS::SQS::Queue`)));
    assert.deepEqual(refusal.message.split('\n'), unknown);
    const stack = await control.call('DescribeStack', { appId: app.appId, envName: 'dev' });
    assert.deepEqual(stack.resources, [], 'nothing was applied');
    assert.equal(stack.environment.status, 'NEW');
  });

  void it("deploys the role and policies, resolving the API's table exports, and the role's grants and trust apply", async () => {
    const { app } = await control.call('CreateApp', { name: 'Discussions' });
    await control.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    const { changeSet } = await control.call('CreateChangeSet', changeSetOf(app.appId, withoutLambda(functionTemplate)));
    const functionChanges = changeSet.changes.filter((c) => c.logicalId.startsWith('functionrecorduseractivity.'));
    assert.deepEqual(
      functionChanges.map((c) => [c.logicalId.split('.')[1], c.resourceType, c.action]),
      [
        ['LambdaExecutionRole', 'AWS::IAM::Role', 'Add'],
        ['lambdaexecutionpolicy', 'AWS::IAM::Policy', 'Add'],
        ['AmplifyResourcesPolicy', 'AWS::IAM::Policy', 'Add'],
        ['LambdaTriggerPolicyTopic', 'AWS::IAM::Policy', 'Add'],
        ['LambdaTriggerPolicyPost', 'AWS::IAM::Policy', 'Add'],
        ['LambdaTriggerPolicyComment', 'AWS::IAM::Policy', 'Add'],
      ],
    );
    const { deployment } = await control.call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId });
    const done = await control.waitFor(deployment.deploymentId);
    assert.equal(done.status, 'SUCCEEDED', done.error);

    const { resources } = await control.call('DescribeStack', { appId: app.appId, envName: 'dev' });
    const byId = new Map(resources.map((r) => [r.logicalId, r]));
    const role = byId.get('functionrecorduseractivity.LambdaExecutionRole');
    assert.equal(role?.physicalId, 'discussionsLambdaRole62a425ae-dev', 'RoleName from its Fn::If on the ShouldNotCreateEnvResources condition');
    const roleArn = String(role.attributes['Arn']);
    assert.equal(roleArn, `arn:aws:iam::${cloud.kernel.config.accountId}:role/discussionsLambdaRole62a425ae-dev`);
    assert.match(String(role.attributes['RoleId']), /^AROA[A-Z2-7]{17}$/);
    const apiOutputs = byId.get('apidiscussions')?.attributes ?? {};
    const postStream = String(apiOutputs['Outputs.GetAttPostTableStreamArn']);
    const postTable = String(apiOutputs['Outputs.GetAttPostTableName']);
    const apiId = String(apiOutputs['Outputs.GraphQLAPIIdOutput']);
    assert.equal(postTable, `Post-${apiId}-dev`);
    assert.match(
      postStream,
      new RegExp(
        `^arn:aws:dynamodb:${cloud.kernel.config.region}:${cloud.kernel.config.accountId}:table/${postTable}/stream/\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}$`,
      ),
    );

    // The grants the policies resolved to, as IAM-lite applies them to the function's role.
    const principal = { kind: 'role' as const, accessKeyId: 'ASIATESTFUNCTION', roleArn };
    const allows = (action: string, resource: string): Promise<boolean> =>
      cloud.kernel.authorize(principal, action, resource).then(
        () => true,
        () => false,
      );
    assert.equal(await allows('dynamodb:GetRecords', postStream), true, 'the trigger policy names the imported stream');
    assert.equal(await allows('dynamodb:GetRecords', postStream.replace(postTable, `Secret-${apiId}-dev`)), false, 'and no other');
    assert.equal(await allows('dynamodb:PutItem', postStream), false, 'only the stream actions');
    const logStream = `arn:aws:logs:${cloud.kernel.config.region}:${cloud.kernel.config.accountId}:log-group:/aws/lambda/recorduseractivity-dev:log-stream:2026/01/01`;
    assert.equal(await allows('logs:PutLogEvents', logStream), true, "the execution policy's Fn::Sub with the function's name");
    assert.equal(await allows('logs:PutLogEvents', logStream.replace('recorduseractivity-dev', 'other-dev')), false);

    assert.equal(await cloud.kernel.checkRoleTrust({ roleArn, servicePrincipal: 'lambda.amazonaws.com' }), undefined, 'Lambda may run the function with it');
    assert.match(
      String(await cloud.kernel.checkRoleTrust({ roleArn, servicePrincipal: 'events.amazonaws.com' })),
      /does not allow the service events\.amazonaws\.com/,
    );

    // Pushed again unchanged, nothing changes: the imports resolve to what is deployed.
    const again = await control.call('CreateChangeSet', changeSetOf(app.appId, withoutLambda(functionTemplate)));
    assert.deepEqual(again.changeSet.changes, []);
  });
});
