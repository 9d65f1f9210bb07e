import { z } from 'zod';
import { defineOperation, type JsonOperation } from '../../kernel/json-api.js';
import { checkNewName, nameProblem } from './parameter-names.js';
import { arnOf, callerArn, type SsmContext } from './parameter-output.js';
import type { ParameterTier } from './parameter-store.js';
import { SSM_ERRORS } from './ssm-errors.js';

/** The longest value of each tier, in characters (AWS: 4 KB standard, 8 KB advanced). */
const MAX_VALUE: Readonly<Record<ParameterTier, number>> = { Standard: 4096, Advanced: 8192 };
/** The only key Forte seals with is the cloud's own; AWS's default key alias names it. */
const DEFAULT_KEY_ID = 'alias/aws/ssm';

const name = z.string().min(1).max(2048);
const names = z.array(name).min(1).max(10);
/** Request fields of AWS's PutParameter that Forte does not implement: refused rather than ignored. */
const unsupported = (field: string, fix: string) =>
  z
    .unknown()
    .optional()
    .refine((value) => value === undefined || (Array.isArray(value) && value.length === 0), `${field} is not supported by Forte: ${fix}.`);

const putInput = z.object({
  Name: name,
  Value: z.string().min(1),
  Type: z.enum(['String', 'StringList', 'SecureString']).optional(),
  Description: z.string().max(1024).optional(),
  Overwrite: z.boolean().optional(),
  Tier: z.enum(['Standard', 'Advanced', 'Intelligent-Tiering']).optional(),
  KeyId: z.string().optional(),
  DataType: z.literal('text', { message: 'only text is supported by Forte (aws:ec2:image is not)' }).optional(),
  AllowedPattern: unsupported('AllowedPattern', 'check values before putting them'),
  Policies: unsupported('Policies', 'expire or rotate parameters yourself'),
  Tags: unsupported('Tags', 'omit them'),
});

/** PutParameter, DeleteParameter and DeleteParameters. */
export function createWriteOperations(ssm: SsmContext): Record<string, JsonOperation> {
  return {
    PutParameter: defineOperation({
      input: putInput,
      resources: (input) => [arnOf(ssm, input.Name)],
      async handler(input, call) {
        checkNewName(input.Name, arnOf(ssm, '').length);
        if (input.KeyId !== undefined && input.KeyId !== DEFAULT_KEY_ID)
          throw SSM_ERRORS.error('InvalidKeyId', `Forte seals SecureString values with the cloud's own key: omit KeyId or give ${DEFAULT_KEY_ID}.`);
        if (input.KeyId !== undefined && input.Type !== undefined && input.Type !== 'SecureString')
          throw SSM_ERRORS.error('ValidationException', 'KeyId is only for SecureString parameters.');
        // Text fields are kept as database text, which cannot hold NUL on PostgreSQL: refused on every engine alike.
        if (input.Value.includes('\u0000') || input.Description?.includes('\u0000'))
          throw SSM_ERRORS.error(
            'ValidationException',
            `The parameter ${input.Value.includes('\u0000') ? 'value' : 'description'} holds a NUL character (U+0000), which Forte does not keep: remove it.`,
          );
        // The value's length, never the value: it may be a secret.
        const length = input.Value.length;
        const tier: ParameterTier =
          input.Tier === 'Advanced' || (input.Tier === 'Intelligent-Tiering' && length > MAX_VALUE.Standard) ? 'Advanced' : 'Standard';
        if (length > MAX_VALUE[tier]) {
          throw SSM_ERRORS.error(
            'ValidationException',
            tier === 'Standard'
              ? `Standard tier parameters support a maximum parameter value of ${MAX_VALUE.Standard} characters (this one has ${length}). To create a larger parameter value, use Tier Advanced.`
              : `Advanced tier parameters support a maximum parameter value of ${MAX_VALUE.Advanced} characters (this one has ${length}).`,
          );
        }
        const put = { name: input.Name, type: input.Type, value: input.Value, description: input.Description, tier, user: callerArn(ssm, call) };
        const kept = await ssm.store.put({ ...put, overwrite: input.Overwrite ?? false }, Date.now());
        return { Version: kept.version, Tier: kept.tier };
      },
    }),

    DeleteParameter: defineOperation({
      input: z.object({ Name: name }),
      resources: (input) => [arnOf(ssm, input.Name)],
      async handler(input) {
        if (nameProblem(input.Name) !== undefined || !(await ssm.store.delete(input.Name)))
          throw SSM_ERRORS.error('ParameterNotFound', `Parameter ${input.Name} not found.`);
        return {};
      },
    }),

    DeleteParameters: defineOperation({
      input: z.object({ Names: names }),
      resources: (input) => input.Names.map((n) => arnOf(ssm, n)),
      async handler(input) {
        const deleted: string[] = [];
        const invalid: string[] = [];
        for (const n of new Set(input.Names)) {
          if (nameProblem(n) === undefined && (await ssm.store.delete(n))) deleted.push(n);
          else invalid.push(n);
        }
        return { DeletedParameters: deleted, InvalidParameters: invalid };
      },
    }),
  };
}
