import { APPSYNC_RESOURCE_TYPES, type ForteError, type GraphQLApiPlan } from '@forte/protocol';
import { FUNCTIONS, type FunctionInvoker } from '../../kernel/capabilities.js';
import { CapabilityError } from '../../kernel/capability.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { Kernel, ResourceContext } from '../../kernel/types.js';
import { conflictFunctionName } from './conflict-lambda.js';
import { callsOf, functionNameOf, type FunctionAccess } from './function-resolver.js';

const LAMBDA_FUNCTION_TYPE = 'AWS::Lambda::Function';

const refused = (message: string): ForteError => RESOURCE_ERRORS.error('ValidationException', `${APPSYNC_RESOURCE_TYPES.graphQLSchema}: ${message}`);

/** The cloud's functions, or undefined when none of its services runs them (a cloud built without lambda). */
export function functionsOf(kernel: Kernel): FunctionInvoker | undefined {
  try {
    return kernel.capability(FUNCTIONS);
  } catch (error) {
    if (error instanceof CapabilityError) return undefined;
    throw error;
  }
}

/** How the schemas of an API in `env` reach functions; undefined in a cloud without the lambda service. */
export function functionAccessFor(kernel: Kernel, env: string): FunctionAccess | undefined {
  if (!functionsOf(kernel)) return undefined;
  return { env, region: kernel.config.region, accountId: kernel.config.accountId, invoker: () => kernel.capability(FUNCTIONS) };
}

/**
 * Whether a function named `name` is there for the schema: deployed already, or created by this push after the
 * schema (a function that reads the API's outputs comes after it, as in Amplify's stacks; a name not known yet may
 * be any).
 */
async function functionThere(invoker: FunctionInvoker, name: string, pendingValues: ResourceContext['pendingValues'] | undefined): Promise<boolean> {
  if (await invoker.exists(name)) return true;
  return (pendingValues?.(LAMBDA_FUNCTION_TYPE, 'FunctionName') ?? []).some((v) => !v.known || v.value === name);
}

/**
 * Refuses, at deploy, a schema whose `@function` fields can never be served here: a cloud without the lambda
 * service, or a function in another region or account. A function that does not exist is not refused: AWS
 * deploys such a schema (a Lambda data source names an ARN, which nothing checks) and the field answers
 * `Lambda:ResourceNotFoundException` until a function of that name is deployed, and real projects push with
 * such a name (a function renamed, or its name's case changed). The answer is a warning for each, which the
 * push shows. Functions of the same deployment are applied before the schema (the schema handler's
 * `appliedAfter`), unless one depends on the API (it reads the API's outputs): then it comes after the schema,
 * and a function this deployment is still to create counts as there.
 */
export async function checkFunctionFields(
  kernel: Kernel,
  plan: GraphQLApiPlan,
  env: string,
  pendingValues?: ResourceContext['pendingValues'],
): Promise<string[]> {
  const fields = plan.externalFields.filter((f) => f.kind === 'function');
  const warnings: string[] = [];
  if (fields.length === 0) return warnings;
  const invoker = functionsOf(kernel);
  const where = (f: (typeof fields)[number]): string => `${f.typeName}.${f.fieldName}`;
  if (!invoker)
    throw refused(
      `${fields.map(where).join(', ')} ${fields.length === 1 ? 'is' : 'are'} served by @function, which needs the ${FUNCTIONS.providedBy ?? 'lambda'} service, and this cloud runs without it: add it to the cloud's services.`,
    );
  const { region, accountId } = kernel.config;
  for (const field of fields) {
    for (const call of callsOf(field)) {
      const name = functionNameOf(call, env);
      if ((call.region && call.region !== region) || (call.accountId && call.accountId !== accountId))
        throw refused(
          `${where(field)} calls @function "${name}" in ${call.accountId ?? accountId}/${call.region ?? region}, but this cloud is account ${accountId} in ${region} and cannot reach functions elsewhere: remove region and accountId from the directive.`,
        );
      if (!(await functionThere(invoker, name, pendingValues)))
        warnings.push(
          `${where(field)} calls @function "${name}", which does not exist in this environment (${env}): the field answers Lambda:ResourceNotFoundException until it does. Add the function, or fix the name in schema.graphql.`,
        );
    }
  }
  return warnings;
}

/**
 * Refuses, at deploy, a model whose version conflicts go to a LAMBDA handler that can never be asked: no handler
 * named, or a cloud without the lambda service. A function that does not exist and is not created later in the
 * same push is a warning, as AppSync deploys it and answers each conflict `ConflictError` until it exists.
 */
export async function checkConflictHandlers(
  kernel: Kernel,
  plan: GraphQLApiPlan,
  env: string,
  pendingValues?: ResourceContext['pendingValues'],
): Promise<string[]> {
  const models = plan.models.filter((m) => m.versioned?.conflictHandler === 'LAMBDA');
  const warnings: string[] = [];
  if (models.length === 0) return warnings;
  const invoker = functionsOf(kernel);
  for (const model of models) {
    const name = conflictFunctionName(model, env);
    if (!name)
      throw refused(
        `${model.name} resolves conflicts with a LAMBDA handler but names no function: set LambdaConflictHandler.name in the ResolverConfig of transform.conf.json.`,
      );
    if (!invoker)
      throw refused(
        `${model.name} resolves conflicts with the function "${name}", which needs the ${FUNCTIONS.providedBy ?? 'lambda'} service, and this cloud runs without it: add it to the cloud's services.`,
      );
    if (!(await functionThere(invoker, name, pendingValues)))
      warnings.push(
        `${model.name} resolves conflicts with the function "${name}", which does not exist in this environment (${env}): each conflict answers ConflictError until it does. Add the function, or fix LambdaConflictHandler.name in transform.conf.json.`,
      );
  }
  return warnings;
}
