import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { ResourceContext, ResourceHandler } from '../../kernel/types.js';
import type { FunctionStore } from './function-store.js';
import { isDeliveredStream, type StreamPollers } from './stream-pollers.js';

const permissionProps = z.object({
  FunctionName: z.string().min(1),
  Action: z.string().min(1),
  Principal: z.string().min(1),
  SourceArn: z.string().optional(),
  SourceAccount: z.string().optional(),
  EventSourceToken: z.string().optional(),
});

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const mappingProps = z
  .object({
    FunctionName: z.string().min(1),
    EventSourceArn: z.string().optional(),
    BatchSize: z.coerce.number().int().min(1).max(10_000).optional(),
    StartingPosition: z.string().optional(),
    Enabled: flag.optional(),
    MaximumBatchingWindowInSeconds: z.coerce.number().int().min(0).max(300).optional(),
    MaximumRetryAttempts: z.coerce.number().int().min(-1).max(10_000).optional(),
    MaximumRecordAgeInSeconds: z.coerce
      .number()
      .int()
      .refine((n) => n === -1 || (n >= 60 && n <= 604_800), 'must be -1 or from 60 to 604800')
      .optional(),
    BisectBatchOnFunctionError: flag.optional(),
  })
  .passthrough();

/** The name in a function name or ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`). */
export function functionNameOf(nameOrArn: string): string {
  const match = /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?([a-zA-Z0-9-_]+)(?::[a-zA-Z0-9-_$]+)?$/.exec(nameOrArn);
  return match?.[1] ?? nameOrArn;
}

const invalid = (type: string, error: z.ZodError): Error => {
  const issue = error.issues[0];
  return RESOURCE_ERRORS.error('ValidationException', `${type} ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`);
};

/**
 * `AWS::Lambda::Permission`: a statement of the function's resource policy (who may invoke it, from which
 * source ARN), which other services check before invoking it (`FUNCTIONS.permits`). `changed` hears, after
 * each write, the functions whose policy it changed: the one the statement was on before and the one it is on now.
 */
export function createPermissionHandler(store: FunctionStore, changed: (functionName: string) => void): ResourceHandler {
  const write = async (id: string, change: () => Promise<string | undefined>): Promise<void> => {
    const before = await store.policyTarget(id);
    const now = await change();
    for (const name of new Set([before, now])) if (name !== undefined) changed(name);
  };
  const apply = async (id: string, props: Record<string, unknown>) => {
    const parsed = permissionProps.safeParse(props);
    if (!parsed.success) throw invalid('AWS::Lambda::Permission', parsed.error);
    const target = functionNameOf(parsed.data.FunctionName);
    await write(id, async () => {
      await store.putPolicy(id, 'permission', target, parsed.data);
      return target;
    });
    return { physicalId: id, attributes: {} };
  };
  return {
    create: (props) => apply(randomUUID(), props),
    update: (physicalId, props) => apply(physicalId, props),
    delete: (physicalId) => write(physicalId, async () => void (await store.deletePolicy(physicalId))),
  };
}

/**
 * `AWS::Lambda::EventSourceMapping` (Ref and GetAtt `Id` are its UUID): a mapping of a DynamoDB stream or a Kinesis
 * data stream is delivered to its function by the stream pollers (stream-pollers.ts), from its StartingPosition
 * (LATEST or TRIM_HORIZON, required for a stream as Lambda requires it; Kinesis's AT_TIMESTAMP is refused); a
 * mapping of another source (SQS, Kafka) is stored, not delivered, and says so in the log.
 */
export function createEventSourceMappingHandler(store: FunctionStore, pollers: StreamPollers): ResourceHandler {
  const apply = async (uuid: string, props: Record<string, unknown>, created: boolean, ctx: ResourceContext) => {
    const parsed = mappingProps.safeParse(props);
    if (!parsed.success) throw invalid('AWS::Lambda::EventSourceMapping', parsed.error);
    const arn = parsed.data.EventSourceArn ?? '';
    const stream = isDeliveredStream(arn);
    if (stream && parsed.data.StartingPosition !== 'LATEST' && parsed.data.StartingPosition !== 'TRIM_HORIZON') {
      throw RESOURCE_ERRORS.error(
        'ValidationException',
        `AWS::Lambda::EventSourceMapping StartingPosition: a ${arn.includes(':kinesis:') ? 'Kinesis' : 'DynamoDB'} stream needs LATEST or TRIM_HORIZON here, got ${JSON.stringify(parsed.data.StartingPosition ?? null)}.`,
      );
    }
    if (!stream) ctx.log.warn('event source mapping stored but not delivered: only DynamoDB and Kinesis streams are read', { eventSourceArn: arn });
    await store.putEventSourceMapping(uuid, functionNameOf(parsed.data.FunctionName), parsed.data);
    if (created && stream) await pollers.created(uuid, parsed.data.StartingPosition, arn);
    await pollers.refresh(uuid);
    return { physicalId: uuid, attributes: { Id: uuid } };
  };
  return {
    replaceOn: ['EventSourceArn'],
    create: (props, ctx) => apply(randomUUID(), props, true, ctx),
    update: (physicalId, props, _old, ctx) => apply(physicalId, props, false, ctx),
    async delete(physicalId) {
      await store.deleteEventSourceMapping(physicalId);
      await pollers.refresh(physicalId);
    },
  };
}
