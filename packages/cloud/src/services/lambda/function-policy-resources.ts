import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { ResourceHandler } from '../../kernel/types.js';
import type { FunctionStore } from './function-store.js';

const permissionProps = z.object({
  FunctionName: z.string().min(1),
  Action: z.string().min(1),
  Principal: z.string().min(1),
  SourceArn: z.string().optional(),
  SourceAccount: z.string().optional(),
  EventSourceToken: z.string().optional(),
});

const mappingProps = z
  .object({
    FunctionName: z.string().min(1),
    EventSourceArn: z.string().optional(),
    BatchSize: z.coerce.number().int().positive().optional(),
    StartingPosition: z.string().optional(),
    Enabled: z.boolean().optional(),
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
 * source ARN), recorded so it can be listed; Forte's callers are authorized by their own IAM-lite policies.
 */
export function createPermissionHandler(store: FunctionStore): ResourceHandler {
  const apply = async (id: string, props: Record<string, unknown>) => {
    const parsed = permissionProps.safeParse(props);
    if (!parsed.success) throw invalid('AWS::Lambda::Permission', parsed.error);
    await store.putPolicy(id, 'permission', functionNameOf(parsed.data.FunctionName), parsed.data);
    return { physicalId: id, attributes: {} };
  };
  return {
    create: (props) => apply(randomUUID(), props),
    update: (physicalId, props) => apply(physicalId, props),
    delete: (physicalId) => store.deletePolicy(physicalId),
  };
}

/**
 * `AWS::Lambda::EventSourceMapping`: stored with its properties (Ref and GetAtt `Id` are its UUID). Records of
 * the source (DynamoDB streams) are not delivered yet.
 */
export function createEventSourceMappingHandler(store: FunctionStore): ResourceHandler {
  const apply = async (uuid: string, props: Record<string, unknown>) => {
    const parsed = mappingProps.safeParse(props);
    if (!parsed.success) throw invalid('AWS::Lambda::EventSourceMapping', parsed.error);
    await store.putEventSourceMapping(uuid, functionNameOf(parsed.data.FunctionName), parsed.data);
    return { physicalId: uuid, attributes: { Id: uuid } };
  };
  return {
    replaceOn: ['EventSourceArn'],
    create: (props) => apply(randomUUID(), props),
    update: (physicalId, props) => apply(physicalId, props),
    delete: (physicalId) => store.deleteEventSourceMapping(physicalId),
  };
}
