import { z } from 'zod';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { Kernel, ResourceHandler } from '../../kernel/types.js';
import type { LogStore } from './log-store.js';

/** The values CloudWatch Logs accepts for RetentionInDays. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const logGroupProps = z.object({
  LogGroupName: z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'log group names are 1 to 512 letters, digits and . - _ / #'),
  RetentionInDays: z.coerce
    .number()
    .int()
    .refine((d) => RETENTION_DAYS.includes(d), `RetentionInDays must be one of ${RETENTION_DAYS.join(', ')}`)
    .optional(),
});

/**
 * `AWS::Logs::LogGroup`: `/aws/lambda/<fn>` sets how long that function's log events are kept. Deleting it
 * deletes the group's settings; the events age out by the default retention.
 */
export function createLogGroupHandler(kernel: Kernel, logs: LogStore): ResourceHandler {
  const apply = async (props: Record<string, unknown>) => {
    const parsed = logGroupProps.safeParse(props);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw RESOURCE_ERRORS.error('ValidationException', `AWS::Logs::LogGroup ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`);
    }
    const { LogGroupName, RetentionInDays } = parsed.data;
    await logs.setRetention(LogGroupName, RetentionInDays);
    await logs.trim();
    return { physicalId: LogGroupName, attributes: { Arn: `arn:aws:logs:${kernel.config.region}:${kernel.config.accountId}:log-group:${LogGroupName}:*` } };
  };
  return {
    replaceOn: ['LogGroupName'],
    create: (props) => apply(props),
    update: (_physicalId, props) => apply(props),
    delete: (physicalId) => logs.deleteGroup(physicalId),
  };
}
