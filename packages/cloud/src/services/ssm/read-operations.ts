import { z } from 'zod';
import { defineOperation, type JsonOperation } from '../../kernel/json-api.js';
import { nameProblem, normalizePath } from './parameter-names.js';
import { arnOf, isAllowed, nameOfNextToken, nextTokenAfter, parameterMetadata, parameterOutput, type SsmContext } from './parameter-output.js';
import type { StoredParameter } from './parameter-store.js';
import { SSM_ERRORS } from './ssm-errors.js';

const name = z.string().min(1).max(2048);
/** Filters are not implemented: refused, so nobody takes an unfiltered answer for a filtered one. */
const noFilters = (field: string) =>
  z
    .array(z.unknown())
    .optional()
    .refine((value) => value === undefined || value.length === 0, `${field} is not supported by Forte: filter the answer yourself.`);
/** Rows read per query of a listing, and the most one call reads (a page may end early with a NextToken). */
const BATCH = 50;
const MAX_SCANNED = 500;
/** `name:version`, AWS's selector of one version of a parameter. */
const VERSION_SELECTOR = /^(.+):([0-9]{1,10})$/;

/** GetParameter, GetParameters, GetParametersByPath and DescribeParameters. */
export function createReadOperations(ssm: SsmContext): Record<string, JsonOperation> {
  const notFound = (n: string) => SSM_ERRORS.error('ParameterNotFound', `Parameter ${n} not found.`);
  const nameOf = (requested: string): string => VERSION_SELECTOR.exec(requested)?.[1] ?? requested;
  const afterToken = (token: string | undefined): string | undefined => {
    if (token === undefined) return undefined;
    const after = nameOfNextToken(token);
    if (after === undefined) throw SSM_ERRORS.error('InvalidNextToken', 'The NextToken is not one this API gave: start the listing again without it.');
    return after;
  };

  return {
    GetParameter: defineOperation({
      input: z.object({ Name: name, WithDecryption: z.boolean().optional() }),
      resources: (input) => [arnOf(ssm, nameOf(input.Name))],
      async handler(input) {
        const selector = VERSION_SELECTOR.exec(input.Name);
        const n = nameOf(input.Name);
        const parameter = nameProblem(n) === undefined ? await ssm.store.get(n) : undefined;
        if (!parameter) throw notFound(n);
        // Only the current version is kept.
        if (selector && Number(selector[2]) !== parameter.version)
          throw SSM_ERRORS.error(
            'ParameterVersionNotFound',
            `Version ${selector[2]} of parameter ${n} is not kept: only its current version (${parameter.version}) is.`,
          );
        return { Parameter: parameterOutput(ssm, parameter, input.WithDecryption ?? false, selector ? `:${selector[2]}` : undefined) };
      },
    }),

    GetParameters: defineOperation({
      input: z.object({ Names: z.array(name).min(1).max(10), WithDecryption: z.boolean().optional() }),
      resources: (input) => input.Names.map((n) => arnOf(ssm, nameOf(n))),
      async handler(input) {
        const found: Record<string, unknown>[] = [];
        const invalid: string[] = [];
        for (const requested of new Set(input.Names)) {
          const selector = VERSION_SELECTOR.exec(requested);
          const n = nameOf(requested);
          const parameter = nameProblem(n) === undefined ? await ssm.store.get(n) : undefined;
          if (!parameter || (selector && Number(selector[2]) !== parameter.version)) invalid.push(requested);
          else found.push(parameterOutput(ssm, parameter, input.WithDecryption ?? false, selector ? `:${selector[2]}` : undefined));
        }
        return { Parameters: found, InvalidParameters: invalid };
      },
    }),

    GetParametersByPath: defineOperation({
      input: z.object({
        Path: z.string().min(1).max(2048),
        Recursive: z.boolean().optional(),
        WithDecryption: z.boolean().optional(),
        MaxResults: z.number().int().min(1).max(10).optional(),
        NextToken: z.string().min(1).max(4096).optional(),
        ParameterFilters: noFilters('ParameterFilters'),
      }),
      // The path's ARN without a trailing slash, as policies name it (`parameter/amplify/<appId>/<env>`).
      resources: (input) => [arnOf(ssm, input.Path.length > 1 ? input.Path.replace(/\/$/, '') : input.Path)],
      async handler(input, call) {
        const path = normalizePath(input.Path);
        const max = input.MaxResults ?? 10;
        const found: StoredParameter[] = [];
        let after = afterToken(input.NextToken);
        let scanned = 0;
        let more = false;
        // Parameters the caller may not read are left out: a grant on the path is not one on everything below it.
        for (;;) {
          const batch = await ssm.store.listUnder(path, { recursive: input.Recursive ?? false, after, limit: BATCH });
          for (const parameter of batch) {
            if (found.length === max) {
              more = true;
              break;
            }
            after = parameter.name;
            scanned += 1;
            if (await isAllowed(call, 'ssm:GetParametersByPath', arnOf(ssm, parameter.name))) found.push(parameter);
          }
          if (more || batch.length < BATCH) break;
          if (scanned >= MAX_SCANNED) {
            more = true;
            break;
          }
        }
        return {
          Parameters: found.map((p) => parameterOutput(ssm, p, input.WithDecryption ?? false)),
          ...(more && after !== undefined ? { NextToken: nextTokenAfter(after) } : {}),
        };
      },
    }),

    DescribeParameters: defineOperation({
      input: z.object({
        MaxResults: z.number().int().min(1).max(50).optional(),
        NextToken: z.string().min(1).max(4096).optional(),
        Filters: noFilters('Filters'),
        ParameterFilters: noFilters('ParameterFilters'),
      }),
      async handler(input) {
        const max = input.MaxResults ?? 10;
        const rows = await ssm.store.list({ after: afterToken(input.NextToken), limit: max + 1 });
        const page = rows.slice(0, max);
        const last = page.at(-1);
        return {
          Parameters: page.map((p) => parameterMetadata(ssm, p)),
          ...(rows.length > max && last ? { NextToken: nextTokenAfter(last.name) } : {}),
        };
      },
    }),
  };
}
