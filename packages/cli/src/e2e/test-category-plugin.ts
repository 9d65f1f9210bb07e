import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a small category plugin `testcat` (test support) whose resources are `Forte::Test::Resource`s
 * (a cloud started with FORTE_TEST_FAULTS=1 provides them): `forte add testcat <name>` creates
 * backend/testcat/<name>/props.json (`--value V`, declared in its manifest), and build() turns that file into the resource's Properties, so a
 * test steers the cloud (Value, FailOn, DelayMs) by editing it. Returns the plugin folder.
 */
export function writeTestCategoryPlugin(parent: string): string {
  const dir = join(parent, 'forte-testcat');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'forte-testcat', version: '1.0.0', type: 'module', main: 'index.js' }));
  writeFileSync(
    join(dir, 'forte-plugin.json'),
    JSON.stringify({
      name: 'testcat',
      type: 'category',
      commands: ['add', 'remove'],
      services: ['TestService'],
      options: { add: [{ name: 'value', value: 'V', description: "the resource's Value (default v1)" }] },
    }),
  );
  writeFileSync(
    join(dir, 'index.js'),
    `import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export async function executeCommand(ctx) {
  const name = ctx.input.subCommands[0] ?? 'thing';
  const project = ctx.project();
  const config = project.readBackendConfig();
  const meta = project.readMeta();
  if (ctx.input.command === 'add') {
    const dir = project.resourceDir('testcat', name);
    mkdirSync(dir, { recursive: true });
    const value = typeof ctx.input.options.value === 'string' ? ctx.input.options.value : 'v1';
    writeFileSync(join(dir, 'props.json'), JSON.stringify({ Value: value }));
    const entry = { service: 'TestService', providerPlugin: 'awscloudformation' };
    config.testcat = { ...config.testcat, [name]: entry };
    meta.testcat = { ...meta.testcat, [name]: entry };
    ctx.print.info('added testcat ' + name);
  } else {
    rmSync(project.resourceDir('testcat', name), { recursive: true, force: true });
    delete config.testcat?.[name];
    delete meta.testcat?.[name];
    ctx.print.info('removed testcat ' + name);
  }
  project.writeBackendConfig(config);
  project.writeMeta(meta);
}

export async function build(ctx, resource) {
  const props = JSON.parse(readFileSync(join(resource.dir, 'props.json'), 'utf8'));
  return {
    template: {
      Parameters: { env: { Type: 'String' }, AppId: { Type: 'String' } },
      Resources: { Thing: { Type: 'Forte::Test::Resource', Properties: props } },
      Outputs: { Value: { Value: { 'Fn::GetAtt': ['Thing', 'Value'] } } },
    },
  };
}
`,
  );
  return dir;
}
