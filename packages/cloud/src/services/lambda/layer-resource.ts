import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { OBJECTS } from '../../kernel/capabilities.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { Kernel, ResourceHandler } from '../../kernel/types.js';
import { MAX_ZIPPED_BYTES, type CodeStore } from './code-store.js';
import type { FunctionStore } from './function-store.js';
import { BadZipError } from './zip-entries.js';

const layerProps = z.object({
  LayerName: z.string().regex(/^[a-zA-Z0-9-_]{1,140}$/, 'layer names are letters, digits, - and _'),
  Content: z.object({ S3Bucket: z.string().min(1), S3Key: z.string().min(1) }, { message: 'Content needs S3Bucket and S3Key' }),
  CompatibleRuntimes: z.array(z.string()).default([]),
  Description: z.string().optional(),
});

const invalid = (type: string, error: z.ZodError): Error => {
  const issue = error.issues[0];
  return RESOURCE_ERRORS.error('ValidationException', `${type} ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`);
};

/**
 * `AWS::Lambda::LayerVersion`: its zip unpacked into the code store (functions get it as a layer root, /opt on
 * Lambda). Versions are immutable, so any change publishes a new one (replacement). Ref is the LayerVersionArn.
 */
export function createLayerVersionHandler(options: {
  kernel: Kernel;
  store: FunctionStore;
  code: CodeStore;
  collectCode: () => Promise<void>;
}): ResourceHandler {
  const { kernel, store } = options;
  return {
    replaceOn: ['LayerName', 'Content', 'CompatibleRuntimes', 'Description'],
    async create(props) {
      const parsed = layerProps.safeParse(props);
      if (!parsed.success) throw invalid('AWS::Lambda::LayerVersion', parsed.error);
      const { LayerName, Content, CompatibleRuntimes } = parsed.data;
      const read = await kernel.capability(OBJECTS).read(Content.S3Bucket, Content.S3Key, { maxBytes: MAX_ZIPPED_BYTES });
      if (read.status === 'missing')
        throw RESOURCE_ERRORS.error(
          'ValidationException',
          `Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist. (s3://${Content.S3Bucket}/${Content.S3Key})`,
        );
      if (read.status === 'too-large') throw RESOURCE_ERRORS.error('ValidationException', `Zipped size must be smaller than ${MAX_ZIPPED_BYTES} bytes.`);
      let installed;
      try {
        installed = await options.code.install(read.body);
      } catch (error) {
        if (error instanceof BadZipError)
          throw RESOURCE_ERRORS.error('ValidationException', `Could not unzip uploaded file: ${error.message}`, { cause: error });
        throw error;
      }
      let arn: string;
      try {
        arn = await store.publishLayerVersion({
          layerName: LayerName,
          arnPrefix: `arn:aws:lambda:${kernel.config.region}:${kernel.config.accountId}`,
          codeSha256: installed.sha256,
          codeSize: installed.size,
          compatibleRuntimes: CompatibleRuntimes,
        });
      } finally {
        installed.release();
      }
      return { physicalId: arn, attributes: { LayerVersionArn: arn } };
    },
    update: async () => 'replace',
    async delete(physicalId) {
      await store.deleteLayerVersion(physicalId);
      await options.collectCode();
    },
  };
}

const layerPermissionProps = z.object({
  LayerVersionArn: z.string().min(1),
  Action: z.string().min(1),
  Principal: z.string().min(1),
  OrganizationId: z.string().optional(),
});

/** `AWS::Lambda::LayerVersionPermission`: recorded on its layer version (who else may use it). */
export function createLayerVersionPermissionHandler(store: FunctionStore): ResourceHandler {
  const apply = async (id: string, props: Record<string, unknown>) => {
    const parsed = layerPermissionProps.safeParse(props);
    if (!parsed.success) throw invalid('AWS::Lambda::LayerVersionPermission', parsed.error);
    await store.putPolicy(id, 'layer-permission', parsed.data.LayerVersionArn, parsed.data);
    return { physicalId: id, attributes: {} };
  };
  return {
    create: (props) => apply(randomUUID(), props),
    update: (physicalId, props) => apply(physicalId, props),
    delete: (physicalId) => store.deletePolicy(physicalId),
  };
}
