import { z } from 'zod';
import { UserError, type Project } from '@forte/protocol';
import { readCliInputs, writeCliInputs, type CliInputsKind } from './cli-inputs-file.js';
import { CATEGORY, RESOURCE_NAME, S3_SERVICE } from './ddb-inputs.js';

/** What a user may do with the bucket's objects: Amplify's `S3PermissionType`, in the order of its question. */
export const S3_OPERATIONS = ['CREATE_AND_UPDATE', 'READ', 'DELETE'] as const;
export type S3Operation = (typeof S3_OPERATIONS)[number];

/** The IAM actions of each operation (Amplify's `getCfnTypesFromPermissionType`): read also lists the bucket. */
export const S3_ACTIONS: Record<S3Operation, string[]> = {
  CREATE_AND_UPDATE: ['s3:PutObject'],
  READ: ['s3:GetObject', 's3:ListBucket'],
  DELETE: ['s3:DeleteObject'],
};

/** Amplify's rule for the bucket name asked by the walkthrough (the env and a stack suffix are appended at push). */
export const BUCKET_NAME = /^[a-z0-9-]{3,47}$/;
/** Names in cli-inputs.json written by older Amplify versions may be longer or hold dots: the bucket name rules decide at push. */
const FILE_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,62}$/;

const operations = z.array(z.enum(S3_OPERATIONS));

/**
 * `cli-inputs.json` of a content (S3) resource: Amplify's `S3UserInputs.schema.json`. `adminTriggerFunction` and
 * `additionalTriggerFunctions` are written by other categories (Predictions) and kept as they are.
 */
export const s3InputsSchema = z
  .object({
    resourceName: z.string().regex(RESOURCE_NAME, 'friendly names use letters and digits only'),
    policyUUID: z.string().regex(/^[a-zA-Z0-9]{1,36}$/, 'policyUUID is letters and digits (Amplify writes 8 hex digits)'),
    bucketName: z.string().regex(FILE_BUCKET_NAME, 'bucket names use a-z 0-9 . - and are 2 to 63 characters long'),
    storageAccess: z.enum(['auth', 'authAndGuest']),
    guestAccess: operations,
    authAccess: operations,
    triggerFunction: z
      .string()
      .regex(/^[a-zA-Z0-9]+$/, 'triggerFunction is NONE or a function name (letters and digits)')
      .optional(),
    groupAccess: z.record(z.string().regex(/^[\w+=,.@-]{1,128}$/, 'group names use letters, digits and +=,.@_-'), operations).optional(),
    adminTriggerFunction: z.object({ triggerFunction: z.string() }).passthrough().optional(),
    additionalTriggerFunctions: z.array(z.unknown()).optional(),
  })
  .strict();

export type S3Inputs = z.infer<typeof s3InputsSchema>;

/** The trigger function of the bucket, if any (`"NONE"` is Amplify's word for none). */
export const triggerOf = (inputs: Pick<S3Inputs, 'triggerFunction'>): string | undefined =>
  inputs.triggerFunction !== undefined && inputs.triggerFunction !== 'NONE' ? inputs.triggerFunction : undefined;

/** Who may use the bucket, from what guests may do: Amplify's `authAndGuest` when guests may do anything. */
export const storageAccessFor = (guestAccess: readonly S3Operation[]): S3Inputs['storageAccess'] => (guestAccess.length > 0 ? 'authAndGuest' : 'auth');

/** The IAM actions of a list of operations, in its order (Amplify's `getCfnPermissionsFromInputPermissions`). */
export const actionsOf = (ops: readonly S3Operation[]): string[] => ops.flatMap((op) => S3_ACTIONS[op]);

/** What Amplify's S3 questions and adapters write after the resource's names, in their order. */
const ACCESS_KEYS = ['storageAccess', 'guestAccess', 'authAccess'] as const;
/** The names in the order of Amplify's migration and headless adapter. */
const ADAPTER_NAME_KEYS = ['resourceName', 'bucketName', 'policyUUID'] as const;

/** Amplify's file order for S3UserInputs (its walkthrough builds the object in this order). */
const KEY_ORDER = [
  'resourceName',
  'policyUUID',
  'bucketName',
  ...ACCESS_KEYS,
  'triggerFunction',
  'groupAccess',
  'adminTriggerFunction',
  'additionalTriggerFunctions',
] as const;

/** The order Amplify's migration of an older bucket writes (`genInputParametersForMigration`). */
export const MIGRATION_KEY_ORDER = [...ADAPTER_NAME_KEYS, ...ACCESS_KEYS, 'triggerFunction', 'groupAccess'] as const;

/** The order of Amplify's headless adapter (groupAccess before triggerFunction). */
export const HEADLESS_KEY_ORDER = [...ADAPTER_NAME_KEYS, ...ACCESS_KEYS, 'groupAccess', 'triggerFunction'] as const;

/**
 * Writes cli-inputs.json as Amplify does (an existing file keeps its key order; new keys follow in `order`).
 */
export function writeS3Inputs(project: Project, inputs: S3Inputs, order: readonly (keyof S3Inputs)[] = KEY_ORDER): void {
  writeCliInputs(project, inputs.resourceName, inputs, KEY_ORDER, order);
}

const BUCKET_INPUTS: CliInputsKind<S3Inputs> = {
  schema: s3InputsSchema,
  noun: 'bucket',
  valid: 'content storage definition',
  fix: "Fix the file (Amplify's S3UserInputs: resourceName, policyUUID, bucketName, storageAccess, guestAccess, authAccess, triggerFunction, groupAccess).",
};

/** Reads and checks the resource's cli-inputs.json, naming the file and each problem. */
export function readS3Inputs(project: Project, resourceName: string): S3Inputs {
  const inputs = readCliInputs(project, resourceName, BUCKET_INPUTS);
  if (inputs.resourceName !== resourceName) {
    throw new UserError(
      `amplify/backend/${CATEGORY}/${resourceName}/cli-inputs.json names the resource ${inputs.resourceName}, but its folder is ${resourceName}.`,
      'Make resourceName the folder name.',
    );
  }
  return inputs;
}

/** The project's content storage resources (service S3, not imported): Amplify allows one. */
export function s3Resources(project: Project): string[] {
  return Object.entries(project.readBackendConfig()[CATEGORY] ?? {})
    .filter(([, e]) => e.service === S3_SERVICE && e['serviceType'] !== 'imported')
    .map(([name]) => name);
}
