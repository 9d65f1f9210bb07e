import { createHash, randomBytes } from 'node:crypto';
import { zipSync } from 'fflate';
import { z } from 'zod';
import { OBJECTS } from '../../kernel/capabilities.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { Kernel, ResourceContext, ResourceHandler, ResourceResult } from '../../kernel/types.js';
import { MAX_ZIPPED_BYTES, type CodeStore, type InstalledCode } from './code-store.js';
import type { FunctionRegistry } from './function-registry.js';
import type { FunctionConfig, FunctionStore, StoredFunction } from './function-store.js';
import { BadZipError } from './zip-entries.js';

const functionProps = z.object({
  FunctionName: z
    .string()
    .regex(/^[a-zA-Z0-9-_]{1,64}$/, 'function names are 1 to 64 letters, digits, - and _')
    .optional(),
  Handler: z.string().min(1).max(128),
  Runtime: z.string().min(1),
  Role: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'Role must be the ARN of an IAM role'),
  Code: z.union(
    [z.object({ S3Bucket: z.string().min(1), S3Key: z.string().min(1), S3ObjectVersion: z.string().optional() }), z.object({ ZipFile: z.string().min(1) })],
    {
      message: 'Code needs S3Bucket and S3Key, or ZipFile',
    },
  ),
  Description: z.string().optional(),
  Environment: z.object({ Variables: z.record(z.string(), z.coerce.string()).default({}) }).optional(),
  MemorySize: z.coerce.number().int().min(128).max(10240).default(128),
  Timeout: z.coerce.number().int().min(1).max(900).default(3),
  Layers: z.array(z.string()).max(5).default([]),
  ReservedConcurrentExecutions: z.coerce.number().int().min(0).optional(),
});
type FunctionProps = z.infer<typeof functionProps>;

/** Lambda's message when the execution role does not trust `lambda.amazonaws.com`. */
const ROLE_NOT_ASSUMABLE = 'The role defined for the function cannot be assumed by Lambda.';

/**
 * `AWS::Lambda::Function`: reads the code from a bucket (or the inline `ZipFile` source, written as index.js as
 * Lambda does), unpacks it into the code store, checks the role trusts Lambda, and deploys it to the runtime.
 * Ref is the function's name; GetAtt `Arn`. A change of code or configuration redeploys it; a new name replaces it.
 */
export function createFunctionResourceHandler(options: {
  kernel: Kernel;
  store: FunctionStore;
  code: CodeStore;
  registry: FunctionRegistry;
  collectCode: () => Promise<void>;
  /** Hears each function changed or deleted (to tell the other instances sharing the database). */
  changed?: (name: string) => void;
}): ResourceHandler {
  const { kernel, store } = options;
  const arnOf = (name: string): string => `arn:aws:lambda:${kernel.config.region}:${kernel.config.accountId}:function:${name}`;

  async function readZip(code: z.infer<typeof functionProps>['Code']): Promise<Buffer> {
    if ('ZipFile' in code) return Buffer.from(zipSync({ 'index.js': Buffer.from(code.ZipFile, 'utf8') }));
    const read = await kernel.capability(OBJECTS).read(code.S3Bucket, code.S3Key, { maxBytes: MAX_ZIPPED_BYTES });
    if (read.status === 'missing')
      throw RESOURCE_ERRORS.error(
        'ValidationException',
        `Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist. (s3://${code.S3Bucket}/${code.S3Key})`,
      );
    if (read.status === 'too-large')
      throw RESOURCE_ERRORS.error(
        'ValidationException',
        `Zipped size must be smaller than ${MAX_ZIPPED_BYTES} bytes (s3://${code.S3Bucket}/${code.S3Key} is ${read.size}).`,
      );
    return read.body;
  }

  async function apply(name: string, props: Record<string, unknown>, ctx: ResourceContext): Promise<ResourceResult> {
    const parsed = functionProps.safeParse(props);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw RESOURCE_ERRORS.error('ValidationException', `AWS::Lambda::Function ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`);
    }
    const p = parsed.data;
    const refusal = await kernel.checkRoleTrust({ roleArn: p.Role, servicePrincipal: 'lambda.amazonaws.com' });
    if (refusal !== undefined) throw RESOURCE_ERRORS.error('ValidationException', `${ROLE_NOT_ASSUMABLE} (${refusal})`);
    for (const layer of p.Layers) {
      if (!(await store.getLayerVersion(layer))) throw RESOURCE_ERRORS.error('ValidationException', `Layer version ${layer} does not exist.`);
    }
    let installed;
    try {
      installed = await options.code.install(await readZip(p.Code));
    } catch (error) {
      if (error instanceof BadZipError) throw RESOURCE_ERRORS.error('ValidationException', `Could not unzip uploaded file: ${error.message}`, { cause: error });
      throw error;
    }
    try {
      return await record(name, p, installed, ctx);
    } finally {
      installed.release();
    }
  }

  async function record(name: string, p: FunctionProps, installed: InstalledCode, ctx: ResourceContext): Promise<ResourceResult> {
    const config: FunctionConfig = {
      handler: p.Handler,
      runtime: p.Runtime,
      role: p.Role,
      memoryMb: p.MemorySize,
      timeoutSeconds: p.Timeout,
      variables: p.Environment?.Variables ?? {},
      layers: p.Layers,
      ...(p.ReservedConcurrentExecutions !== undefined ? { reservedConcurrency: p.ReservedConcurrentExecutions } : {}),
      ...(p.Description !== undefined ? { description: p.Description } : {}),
    };
    const revision = createHash('sha256')
      .update(JSON.stringify([installed.sha256, config]))
      .digest('hex')
      .slice(0, 32);
    const previous = await store.get(name);
    // Where the code came from is not part of the revision: the same zip from another key runs the same.
    const codeSource =
      'S3Bucket' in p.Code
        ? { bucket: p.Code.S3Bucket, key: p.Code.S3Key, ...(p.Code.S3ObjectVersion !== undefined ? { versionId: p.Code.S3ObjectVersion } : {}) }
        : undefined;
    const fn: StoredFunction = {
      name,
      arn: arnOf(name),
      config: codeSource ? { ...config, codeSource } : config,
      codeSha256: installed.sha256,
      codeSize: installed.size,
      revision,
      lastModified: previous?.revision === revision ? previous.lastModified : new Date().toISOString(),
    };
    // The runtime takes the new code first: if it cannot (no Node release for the runtime), nothing changed.
    await options.registry.deploy(fn);
    await store.put(fn);
    options.changed?.(name);
    ctx.log.info('function deployed', { function: name, runtime: p.Runtime, codeSha256: installed.sha256 });
    if (previous && previous.codeSha256 !== fn.codeSha256) await options.collectCode();
    return { physicalId: name, attributes: { Arn: fn.arn, FunctionName: name } };
  }

  const nameOf = (props: Record<string, unknown>, ctx: ResourceContext): string =>
    typeof props.FunctionName === 'string'
      ? props.FunctionName
      : `${ctx.stackName}-${ctx.logicalId}-${randomBytes(6).toString('hex')}`.slice(-64).replace(/^[^a-zA-Z0-9]+/, '');

  return {
    replaceOn: ['FunctionName'],
    create: (props, ctx) => apply(nameOf(props, ctx), props, ctx),
    update: async (physicalId, props, _old, ctx) =>
      props.FunctionName !== undefined && props.FunctionName !== physicalId ? 'replace' : apply(physicalId, props, ctx),
    async delete(physicalId) {
      await options.registry.remove(physicalId);
      await store.delete(physicalId);
      options.changed?.(physicalId);
      await options.collectCode();
    },
  };
}
