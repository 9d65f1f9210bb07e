import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { ResourceContext, ResourceHandler } from '../../kernel/types.js';
import type { EventsClock } from './events-clock.js';
import { nextFireTime } from './next-fire-time.js';
import type { RuleStore, RuleTarget, StoredRule } from './rule-store.js';
import { parseScheduleExpression, ScheduleExpressionError, type Schedule } from './schedule-expression.js';

const TYPE = 'AWS::Events::Rule';
const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9-_]+(:[a-zA-Z0-9-_$]+)?$/;

const targetProps = z
  .object({
    Id: z.string().regex(/^[.\-_A-Za-z0-9]{1,64}$/, 'target ids are 1 to 64 letters, digits and . - _'),
    Arn: z.string().regex(LAMBDA_ARN, 'only Lambda functions (arn:aws:lambda:<region>:<account>:function:<name>) can be targets here'),
    Input: z
      .string()
      .max(8192)
      .refine((text) => isJson(text), 'Input must be valid JSON text')
      .optional(),
  })
  .strict();

const ruleProps = z
  .object({
    Name: z.string().regex(NAME, 'rule names are 1 to 64 letters, digits and . - _').optional(),
    Description: z.string().max(512).optional(),
    ScheduleExpression: z.string().max(256).optional(),
    EventPattern: z.unknown().optional(),
    State: z.enum(['ENABLED', 'DISABLED']).default('ENABLED'),
    EventBusName: z.literal('default', { message: 'only the default event bus is supported' }).optional(),
    RoleArn: z.string().optional(),
    Targets: z.array(targetProps).max(5, 'a rule has at most 5 targets').default([]),
  })
  .strict();

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const invalid = (message: string): Error => RESOURCE_ERRORS.error('ValidationException', `${TYPE} ${message}`);

function parseRule(props: Record<string, unknown>): { props: z.infer<typeof ruleProps>; expression: string; schedule: Schedule } {
  const parsed = ruleProps.safeParse(props);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const unknownKeys = issue?.code === 'unrecognized_keys' ? ` (not supported: ${issue.keys.join(', ')})` : '';
    throw invalid(`${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}${unknownKeys}`);
  }
  const { ScheduleExpression, EventPattern } = parsed.data;
  if (EventPattern !== undefined) throw invalid('EventPattern: rules that match events are not supported yet; only ScheduleExpression rules run');
  if (ScheduleExpression === undefined) throw invalid('ScheduleExpression: a rule needs a ScheduleExpression (rate(...) or cron(...))');
  try {
    return { props: parsed.data, expression: ScheduleExpression, schedule: parseScheduleExpression(ScheduleExpression) };
  } catch (error) {
    if (error instanceof ScheduleExpressionError) throw RESOURCE_ERRORS.error('ValidationException', error.message, { cause: error });
    throw error;
  }
}

/** CloudFormation's name for a rule without `Name`: `<stack>-<logicalId>-<random>`, at most 64 characters. */
function generatedName(ctx: ResourceContext): string {
  const suffix = randomBytes(8).toString('hex').toUpperCase().slice(0, 12);
  const clean = (text: string): string => text.replace(/[^.\-_A-Za-z0-9]/g, '');
  const logical = clean(ctx.logicalId).slice(0, 20);
  const stack = clean(ctx.stackName).slice(0, 64 - logical.length - suffix.length - 2);
  return `${stack}-${logical}-${suffix}`;
}

/**
 * `AWS::Events::Rule`: a schedule (`rate(...)` or `cron(...)`) whose Lambda targets the scheduler invokes. Ref is
 * the rule's name, GetAtt `Arn` `arn:aws:events:<region>:<account>:rule/<name>`. An invalid expression fails the
 * resource with EventBridge's message, so the push rolls back.
 */
export function createRuleResourceHandler(deps: {
  store: RuleStore;
  /** A rule was created, changed or removed: every instance's scheduler looks at the schedules again. */
  changed: () => Promise<void>;
  clock: EventsClock;
  region: string;
  accountId: string;
}): ResourceHandler {
  const { store, changed, clock } = deps;
  const save = async (name: string, props: Record<string, unknown>, previous: StoredRule | undefined) => {
    const { props: rule, expression, schedule } = parseRule(props);
    const now = clock.now();
    // A rate counts from when the rule got this schedule (in whole seconds, as the event's time is written); a
    // rule re-enabled or unchanged keeps its count.
    const anchorAt = previous && previous.scheduleExpression === expression ? previous.anchorAt : Math.floor(now / 1000) * 1000;
    const targets: RuleTarget[] = rule.Targets.map((t) => ({ Id: t.Id, Arn: t.Arn, ...(t.Input !== undefined ? { Input: t.Input } : {}) }));
    const keepNext = previous?.state === 'ENABLED' && previous.scheduleExpression === expression && previous.nextFireAt !== undefined;
    const nextFireAt = rule.State === 'DISABLED' ? undefined : keepNext ? previous.nextFireAt : nextFireTime(schedule, now, anchorAt);
    const arn = `arn:aws:events:${deps.region}:${deps.accountId}:rule/${name}`;
    await store.put({ name, arn, scheduleExpression: expression, state: rule.State, targets, anchorAt, nextFireAt });
    await changed();
    return { physicalId: name, attributes: { Arn: arn } };
  };
  return {
    replaceOn: ['Name', 'EventBusName'],
    async create(props, ctx) {
      const name = typeof props.Name === 'string' ? props.Name : generatedName(ctx);
      return save(name, props, await store.get(name));
    },
    async update(physicalId, props) {
      return save(physicalId, props, await store.get(physicalId));
    },
    async delete(physicalId) {
      await store.delete(physicalId);
      await changed();
    },
  };
}
