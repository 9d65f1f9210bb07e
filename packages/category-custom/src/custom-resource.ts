import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import JSON5 from 'json5';
import { UserError, addResourceEntry, confirmRemoval, pickMany, removeResourceEntry, type PluginContext, type Project, type Template } from '@forte/protocol';

export const CATEGORY = 'custom';
/** Amplify's service names for the two kinds of custom resource; Forte deploys the CloudFormation kind. */
export const CFN_SERVICE = 'customCloudFormation';
export const CDK_SERVICE = 'customCDK';
const CFN_CHOICE = 'AWS CloudFormation';
const CDK_CHOICE = 'AWS CDK';
export const PARAMETERS_FILE = 'parameters.json';

/** `<name>-cloudformation-template.json`, the file `amplify add custom` → AWS CloudFormation writes and users edit. */
export const templateFile = (name: string): string => `${name}-cloudformation-template.json`;

/**
 * The template `amplify add custom` writes: an `env` parameter and empty Resources and Outputs, each with a comment
 * saying where to define them (Amplify reads these files as JSON with comments, as Forte does).
 */
export const SKELETON = `{
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {
      "env": {
        "Type": "String"
      }
    },
    "Resources": {
      // Define your AWS Resources here -  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/gettingstarted.templatebasics.html
    },
    "Outputs": {
       // Define your Stack Outputs here - https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/gettingstarted.templatebasics.html
    }
}`;

/**
 * A JSON file of a custom resource, read as Amplify reads it: comments and trailing commas allowed (Amplify
 * parses with hjson; JSON5 takes what such files hold). A UserError names the file and the place.
 */
export function readLenientJson<T>(project: Project, file: string): T {
  try {
    return JSON5.parse<T>(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UserError(`${relative(project.root, file)} is not valid JSON: ${(error as Error).message}`, 'Fix the file and run the command again.', {
      cause: error,
    });
  }
}

/** The project's custom resources with their services, from backend-config.json. */
export function customResources(project: Project): { name: string; service: string | undefined }[] {
  return Object.entries(project.readBackendConfig()[CATEGORY] ?? {}).map(([name, entry]) => ({
    name,
    service: typeof entry.service === 'string' ? entry.service : undefined,
  }));
}

interface Dependency {
  category: string;
  resourceName: string;
  attributes: string[];
}

/** The CloudFormation template files of a folder, as Amplify finds them: `*template*.json|yaml|yml`, auth triggers' aside. */
function templatesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /template.*\.(json|ya?ml)$/.test(name) && name !== 'auth-trigger-cloudformation-template.json')
    .map((name) => join(dir, name));
}

/**
 * The outputs another resource offers a custom stack, as Amplify lists them: those of its template (in its build/
 * folder when it has one there, else its own folder), without the conditional ones, which may not exist. A
 * resource whose template is not in the project (made at push from cli-inputs.json) offers the outputs its last
 * push recorded in amplify-meta.json.
 */
export function outputAttributes(project: Project, category: string, resourceName: string): string[] {
  const dir = project.resourceDir(category, resourceName);
  const built = templatesIn(join(dir, 'build'));
  const files = built.length > 0 ? built : templatesIn(dir);
  if (files.length === 1 && files[0]!.endsWith('.json')) {
    const template = readLenientJson<Template>(project, files[0]!);
    return Object.entries(template.Outputs ?? {})
      .filter(([, output]) => (output as { Condition?: unknown }).Condition === undefined)
      .map(([name]) => name);
  }
  const recorded = (project.readMeta()[category]?.[resourceName] as { output?: Record<string, unknown> } | undefined)?.output;
  return Object.keys(recorded ?? {});
}

/** The resources of the project other than `self`, by category, for the dependency questions. */
function otherResources(project: Project, self: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [category, resources] of Object.entries(project.readBackendConfig())) {
    if (category === 'parameters' || !resources) continue;
    const names = Object.keys(resources).filter((name) => !(category === CATEGORY && name === self));
    if (names.length > 0) out.set(category, names);
  }
  return out;
}

/**
 * Amplify's questions for the resources a custom stack reads: for each chosen resource, a parameter
 * `<category><resource><Output>` per output (added to the template's Parameters, which the push fills from that
 * resource's stack) and a `dependsOn` entry. Answering no removes every dependency.
 */
async function askDependencies(ctx: PluginContext, name: string): Promise<void> {
  const project = ctx.project();
  const existing = (project.readBackendConfig()[CATEGORY]?.[name]?.dependsOn ?? []) as Dependency[];
  const wanted = await ctx.prompt.confirm({
    message: 'Do you want to access Amplify generated resources in your custom CloudFormation file?',
    default: existing.length > 0,
  });
  const dependencies: Dependency[] = [];
  if (wanted) {
    const available = otherResources(project, name);
    if (available.size === 0) ctx.print.warn('The project has no other resources to access yet.');
    else {
      const categories = await pickMany(
        ctx,
        'Select the categories you want this custom resource to have access to.',
        [...available.keys()],
        [...new Set(existing.map((d) => d.category).filter((c) => available.has(c)))],
        { atLeastOne: true },
      );
      for (const category of categories) {
        const names = available.get(category)!;
        const chosen =
          names.length > 1
            ? await pickMany(
                ctx,
                `${category[0]!.toUpperCase()}${category.slice(1)} has ${names.length} resources in this project. Select the one you would like your custom resource to access`,
                names,
                existing.filter((d) => d.category === category && names.includes(d.resourceName)).map((d) => d.resourceName),
              )
            : names;
        for (const resourceName of chosen) {
          const attributes = outputAttributes(project, category, resourceName);
          if (attributes.length === 0) {
            ctx.print.warn(`${category} ${resourceName} has no outputs to read yet (push it first): it is not added.`);
            continue;
          }
          dependencies.push({ category, resourceName, attributes });
        }
      }
    }
  }
  const file = join(project.resourceDir(CATEGORY, name), templateFile(name));
  const template = readLenientJson<Template>(project, file);
  // A dependency dropped leaves its parameters, as Amplify does: the template may still name them. Each added one
  // gets a parameter per output; the file is written as JSON (its comments go, as with Amplify).
  const added = dependencies.flatMap((d) => d.attributes.map((attribute) => ({ d, attribute, parameter: `${d.category}${d.resourceName}${attribute}` })));
  if (added.length > 0) {
    template.Parameters = { ...template.Parameters };
    for (const { d, attribute, parameter } of added)
      template.Parameters[parameter] = {
        Type: 'String',
        Description: `Input parameter describing ${attribute} attribute for ${d.category}/${d.resourceName} resource`,
      };
    writeFileSync(file, `${JSON.stringify(template, null, 2)}\n`);
  }
  const backend = project.readBackendConfig();
  const meta = project.readMeta();
  for (const entries of [backend, meta] as Record<string, Record<string, { dependsOn?: unknown }> | undefined>[]) {
    const entry = entries[CATEGORY]?.[name];
    if (entry) entry.dependsOn = dependencies;
  }
  project.writeBackendConfig(backend);
  project.writeMeta(meta);
}

async function offerEditor(ctx: PluginContext, name: string): Promise<void> {
  if (!ctx.openEditor || ctx.prompt.yes) return;
  if (await ctx.prompt.confirm({ message: 'Do you want to edit the CloudFormation stack now?', default: true }))
    await ctx.openEditor(join(ctx.project().resourceDir(CATEGORY, name), templateFile(name)));
}

const cdkRefused = (): UserError =>
  new UserError(
    'Forte does not build AWS CDK custom resources (customCDK): it would have to compile and synthesize cdk-stack.ts with aws-cdk-lib.',
    'Choose AWS CloudFormation, and write the resources as a CloudFormation template.',
  );

/** `forte add custom`: Amplify's walkthrough for a CloudFormation custom resource. */
export async function addCustom(ctx: PluginContext): Promise<string> {
  const project = ctx.project();
  const kind = await ctx.prompt.select({
    message: 'How do you want to define this custom resource?',
    choices: [CDK_CHOICE, CFN_CHOICE].map((c) => ({ name: c, value: c })),
    default: CFN_CHOICE,
  });
  if (kind === CDK_CHOICE) throw cdkRefused();
  const name = await ctx.prompt.input({
    message: 'Provide a name for your custom resource',
    default: `customResource${randomBytes(4).toString('hex')}`,
    // It names the resource's stack (`custom<name>`) and the parameters other stacks read: letters and digits.
    validate: (value) => (/^[a-zA-Z0-9]+$/.test(value) ? true : 'Use letters and digits only'),
  });
  const dir = project.resourceDir(CATEGORY, name);
  if (existsSync(dir) || project.readBackendConfig()[CATEGORY]?.[name])
    throw new UserError(`Custom resource with ${name} already exists.`, 'Choose another name, or `forte update custom` to change it.');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, templateFile(name)), SKELETON);
  addResourceEntry(project, CATEGORY, name, { service: CFN_SERVICE, providerPlugin: 'awscloudformation' });
  await askDependencies(ctx, name);
  ctx.print.success(`Created skeleton CloudFormation stack in amplify/backend/custom/${name} directory`);
  await offerEditor(ctx, name);
  return name;
}

/** The resource a command is about: named on the command line, or chosen (the only one is taken and said). */
async function chooseResource(ctx: PluginContext, question: string): Promise<{ name: string; service: string | undefined }> {
  const resources = customResources(ctx.project());
  if (resources.length === 0) throw new UserError('No custom resources found.', 'Add one with `forte add custom`.');
  const given = ctx.input.subCommands[0];
  if (given !== undefined) {
    const found = resources.find((r) => r.name === given);
    if (!found) throw new UserError(`The project has no custom resource named ${given}.`, `Choose one of: ${resources.map((r) => r.name).join(', ')}.`);
    return found;
  }
  if (resources.length === 1) {
    ctx.print.success(`Selected resource ${resources[0]!.name}`);
    return resources[0]!;
  }
  const name = await ctx.prompt.select({ message: question, choices: resources.map((r) => ({ name: r.name, value: r.name })) });
  return resources.find((r) => r.name === name)!;
}

/** `forte update custom`: the resources it reads, then the template in the editor. */
export async function updateCustom(ctx: PluginContext): Promise<string> {
  const { name, service } = await chooseResource(ctx, 'Select the custom resource to update');
  if (service === CDK_SERVICE) throw cdkRefused();
  if (service !== CFN_SERVICE)
    throw new UserError(`Resource update is not currently supported for ${name} (service ${String(service)}).`, 'Edit its files by hand.');
  await askDependencies(ctx, name);
  await offerEditor(ctx, name);
  return name;
}

/** `forte remove custom`: once confirmed, its folder and entries (the next push deletes what its stack made). */
export async function removeCustom(ctx: PluginContext): Promise<string | undefined> {
  const project = ctx.project();
  const { name } = await chooseResource(ctx, 'Choose the resource you would want to remove');
  if (!(await confirmRemoval(ctx, CATEGORY, name, 'Remove the dependency first (`forte update <category>`).'))) return undefined;
  rmSync(project.resourceDir(CATEGORY, name), { recursive: true, force: true });
  removeResourceEntry(project, CATEGORY, name);
  return name;
}
