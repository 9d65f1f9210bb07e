import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { ResourceContext, ResourceHandler } from '../../kernel/types.js';
import type { StreamStore } from './stream-store.js';

const TYPE = 'AWS::Kinesis::Stream';
/** The shards an on-demand stream starts with (Kinesis's own default write capacity is four shards' worth). */
const ON_DEMAND_SHARDS = 4;

const streamProps = z
  .object({
    Name: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,128}$/, 'stream names are 1 to 128 letters, digits and _ . -')
      .optional(),
    ShardCount: z.coerce.number().int().min(1).max(1000).optional(),
    RetentionPeriodHours: z.coerce.number().int().min(24).max(8760).optional(),
    StreamModeDetails: z
      .object({ StreamMode: z.enum(['PROVISIONED', 'ON_DEMAND']) })
      .strict()
      .optional(),
    StreamEncryption: z
      .unknown()
      .optional()
      .refine((value) => value === undefined, 'StreamEncryption is not supported by Forte: records are kept in the cloud’s database as they are; omit it'),
    Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).optional(),
  })
  .strict();

/** CloudFormation's name for a stream without `Name`: `<stack>-<logicalId>-<random>`, at most 128 characters. */
function generatedName(ctx: ResourceContext): string {
  const suffix = randomBytes(6).toString('hex').toUpperCase();
  const clean = (text: string): string => text.replace(/[^a-zA-Z0-9_.-]/g, '');
  const logical = clean(ctx.logicalId).slice(0, 40);
  return `${clean(ctx.stackName).slice(0, 128 - logical.length - suffix.length - 2)}-${logical}-${suffix}`;
}

/**
 * `AWS::Kinesis::Stream` (Amplify's analytics category, service Kinesis): Ref is the stream's name, GetAtt `Arn`
 * `arn:aws:kinesis:<region>:<account>:stream/<name>`. A change of `ShardCount`, `RetentionPeriodHours` or the
 * mode applies in place (records keep the shard they were written to); a new `Name` is a new stream. Deleting
 * the stream deletes its records, which the change set counts first.
 */
export function createStreamResourceHandler(options: { store: StreamStore; region: string; accountId: string; now: () => number }): ResourceHandler {
  const { store } = options;
  const parse = (props: Record<string, unknown>): z.infer<typeof streamProps> => {
    const parsed = streamProps.safeParse(props);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const unknownKeys = issue?.code === 'unrecognized_keys' ? ` (not supported: ${issue.keys.join(', ')})` : '';
      throw RESOURCE_ERRORS.error('ValidationException', `${TYPE} ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}${unknownKeys}`);
    }
    return parsed.data;
  };
  const apply = async (name: string, props: z.infer<typeof streamProps>, createdAt: number) => {
    const onDemand = props.StreamModeDetails?.StreamMode === 'ON_DEMAND';
    if (onDemand && props.ShardCount !== undefined)
      throw RESOURCE_ERRORS.error('ValidationException', `${TYPE} ShardCount: an ON_DEMAND stream has no ShardCount; omit it or use PROVISIONED.`);
    await store.put({
      name,
      shardCount: props.ShardCount ?? (onDemand ? ON_DEMAND_SHARDS : 1),
      retentionHours: props.RetentionPeriodHours ?? 24,
      onDemand,
      createdAt,
    });
    return { physicalId: name, attributes: { Arn: `arn:aws:kinesis:${options.region}:${options.accountId}:stream/${name}` } };
  };
  return {
    replaceOn: ['Name'],
    async create(props, ctx) {
      const parsed = parse(props);
      const name = parsed.Name ?? generatedName(ctx);
      if (await store.get(name)) throw RESOURCE_ERRORS.error('ResourceInUseException', `${TYPE}: a stream named ${name} exists already in this cloud.`);
      return apply(name, parsed, options.now());
    },
    async update(physicalId, props) {
      const parsed = parse(props);
      const current = await store.get(physicalId);
      return apply(physicalId, parsed, current?.createdAt ?? options.now());
    },
    async delete(physicalId) {
      await store.delete(physicalId);
    },
    storedData: {
      kind: 'records',
      async count(physicalId) {
        const stream = await store.get(physicalId);
        return stream ? store.count(stream, options.now()) : 0;
      },
    },
  };
}
