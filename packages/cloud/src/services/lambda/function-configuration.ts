import type { FunctionStore, StoredFunction } from './function-store.js';

/** Lambda's time format in FunctionConfiguration.LastModified: `2019-06-13T18:12:21.818+0000`. */
const lambdaTime = (iso: string): string => iso.replace(/Z$/, '+0000');

/** A function as GetFunctionConfiguration and ListFunctions answer it (Lambda's FunctionConfiguration). */
export async function functionConfiguration(store: FunctionStore, fn: StoredFunction): Promise<Record<string, unknown>> {
  const layers = [];
  for (const arn of fn.config.layers) {
    const layer = await store.getLayerVersion(arn);
    layers.push({ Arn: arn, CodeSize: layer?.codeSize ?? 0 });
  }
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: fn.config.runtime,
    Role: fn.config.role,
    Handler: fn.config.handler,
    CodeSize: fn.codeSize,
    Description: fn.config.description ?? '',
    Timeout: fn.config.timeoutSeconds,
    MemorySize: fn.config.memoryMb,
    LastModified: lambdaTime(fn.lastModified),
    // Lambda answers the zip's sha256 in base64.
    CodeSha256: Buffer.from(fn.codeSha256, 'hex').toString('base64'),
    Version: '$LATEST',
    Environment: { Variables: fn.config.variables },
    ...(layers.length > 0 ? { Layers: layers } : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: fn.revision,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
  };
}
