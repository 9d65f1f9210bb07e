import { randomBytes } from 'node:crypto';
import { xmlElements } from './xml-elements.js';
import type { ForteError } from '@forte/protocol';
import { xmlUnescape } from '../../kernel/xml-escape.js';
import { el } from './s3-xml.js';
import { S3_ERRORS } from './s3-errors.js';

/** A key filter rule: the object key must start (`prefix`) or end (`suffix`) with `value`. */
export interface KeyFilterRule {
  name: 'prefix' | 'suffix';
  value: string;
}

/** One Lambda destination of a bucket's notifications (S3's LambdaFunctionConfiguration). */
export interface LambdaNotification {
  id: string;
  functionArn: string;
  /** As written: `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`, … */
  events: string[];
  rules: KeyFilterRule[];
}

/** A bucket's notification configuration; Forte delivers to Lambda functions only. */
export interface NotificationConfiguration {
  lambda: LambdaNotification[];
}

/**
 * The event types S3 accepts in a configuration. Forte produces the ObjectCreated (Put, Copy,
 * CompleteMultipartUpload) and ObjectRemoved:Delete events; the others are accepted and never happen here.
 */
const EVENT_TYPES = new Set(
  [
    'ObjectCreated:*',
    'ObjectCreated:Put',
    'ObjectCreated:Post',
    'ObjectCreated:Copy',
    'ObjectCreated:CompleteMultipartUpload',
    'ObjectRemoved:*',
    'ObjectRemoved:Delete',
    'ObjectRemoved:DeleteMarkerCreated',
    'ObjectRestore:*',
    'ObjectRestore:Post',
    'ObjectRestore:Completed',
    'ObjectRestore:Delete',
    'ReducedRedundancyLostObject',
    'Replication:*',
    'Replication:OperationFailedReplication',
    'Replication:OperationNotTracked',
    'Replication:OperationMissedThreshold',
    'Replication:OperationReplicatedAfterThreshold',
    'LifecycleExpiration:*',
    'LifecycleExpiration:Delete',
    'LifecycleExpiration:DeleteMarkerCreated',
    'LifecycleTransition',
    'IntelligentTiering',
    'ObjectTagging:*',
    'ObjectTagging:Put',
    'ObjectTagging:Delete',
    'ObjectAcl:Put',
  ].map((type) => `s3:${type}`),
);

const invalid = (message: string, name?: string, value?: string): ForteError =>
  S3_ERRORS.error('InvalidArgument', message, { fields: name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' } });

/** S3's refusal of a destination it cannot validate (no such function, or one S3 may not invoke). */
export function unvalidatedDestination(arn: string, reason: string): ForteError {
  return S3_ERRORS.error('InvalidArgument', 'Unable to validate the following destination configurations', {
    fields: { ArgumentName1: arn, ArgumentValue1: reason },
  });
}

/** Whether `pattern` (`s3:ObjectCreated:*`, `s3:ObjectCreated:Put`) covers the event `eventName` (`ObjectCreated:Put`). */
export function eventMatches(pattern: string, eventName: string): boolean {
  const type = pattern.slice('s3:'.length);
  return type.endsWith(':*') ? eventName.startsWith(type.slice(0, -1)) : type === eventName;
}

/** Whether the key passes every filter rule (rules apply to the key as stored, not as encoded in the event). */
export function keyMatches(rules: readonly KeyFilterRule[], key: string): boolean {
  return rules.every((rule) => (rule.name === 'prefix' ? key.startsWith(rule.value) : key.endsWith(rule.value)));
}

/** The destinations an event of `eventName` on `key` goes to. */
export function targetsOf(config: NotificationConfiguration, eventName: string, key: string): LambdaNotification[] {
  return config.lambda.filter((target) => target.events.some((pattern) => eventMatches(pattern, eventName)) && keyMatches(target.rules, key));
}

/** Two event patterns share an event type (`s3:ObjectCreated:*` and `s3:ObjectCreated:Put` do). */
function eventsOverlap(a: string, b: string): boolean {
  const wide = (p: string): string | undefined => (p.endsWith(':*') ? p.slice(0, -1) : undefined);
  return a === b || (wide(a) !== undefined && b.startsWith(wide(a)!)) || (wide(b) !== undefined && a.startsWith(wide(b)!));
}

const ruleValue = (rules: readonly KeyFilterRule[], name: KeyFilterRule['name']): string => rules.find((r) => r.name === name)?.value ?? '';

/**
 * Checks a configuration as S3 does before it looks at destinations: known event types, at most one prefix and
 * one suffix rule, unique ids, and no two destinations that could both get one event (S3 refuses overlapping
 * configurations: same event type and prefixes or suffixes where one extends the other). Throws InvalidArgument.
 */
export function checkConfiguration(config: NotificationConfiguration): NotificationConfiguration {
  if (config.lambda.length > MAX_CONFIGURATIONS) throw invalid(`Forte takes at most ${MAX_CONFIGURATIONS} notification configurations per bucket.`);
  const ids = new Set<string>();
  for (const target of config.lambda) {
    if (ids.has(target.id)) throw invalid('Configuration Ids must be unique.', 'Id', target.id);
    ids.add(target.id);
    if (target.events.length === 0) throw invalid('A notification configuration needs at least one event.', 'Event', '');
    for (const event of target.events) if (!EVENT_TYPES.has(event)) throw invalid('The event is not supported for notifications', 'Event', event);
    for (const name of ['prefix', 'suffix'] as const) {
      if (target.rules.filter((r) => r.name === name).length > 1) throw invalid(`Cannot specify more than one ${name} rule in a filter.`, 'FilterRule', name);
    }
  }
  config.lambda.forEach((a, i) => {
    for (const b of config.lambda.slice(i + 1)) {
      const sharesEvent = a.events.some((x) => b.events.some((y) => eventsOverlap(x, y)));
      const [pa, pb, sa, sb] = [ruleValue(a.rules, 'prefix'), ruleValue(b.rules, 'prefix'), ruleValue(a.rules, 'suffix'), ruleValue(b.rules, 'suffix')];
      const prefixesOverlap = pa.startsWith(pb) || pb.startsWith(pa);
      const suffixesOverlap = sa.endsWith(sb) || sb.endsWith(sa);
      if (sharesEvent && prefixesOverlap && suffixesOverlap) {
        throw invalid('Configurations overlap. Configurations on the same bucket cannot share a common event type.', 'Event', a.events.join(','));
      }
    }
  });
  return config;
}

/** S3 names a configuration it was given without an Id. */
const generatedId = (): string => randomBytes(24).toString('base64');

function ruleOf(name: string, value: string): KeyFilterRule {
  const lower = name.toLowerCase();
  if (lower !== 'prefix' && lower !== 'suffix') throw invalid('filter rule name must be either prefix or suffix', 'FilterRule', name);
  return { name: lower, value };
}

const malformed = (): ForteError =>
  S3_ERRORS.error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');

const elements = (xml: string, tag: string): string[] => xmlElements(xml, tag, malformed);

const text = (xml: string, tag: string): string | undefined => {
  const first = elements(xml, tag)[0];
  return first === undefined ? undefined : xmlUnescape(first.trim());
};

/** More would make the overlap check (every pair) and each write's matching costly; S3 states no number. */
const MAX_CONFIGURATIONS = 1000;

/**
 * A `<NotificationConfiguration>` document of PutBucketNotificationConfiguration. Lambda destinations are
 * `<CloudFunctionConfiguration>` elements (the SDKs' wire name; `<LambdaFunctionConfiguration>` is read too) with
 * `<CloudFunction>` (or `<LambdaFunctionArn>`), `<Event>`s and `<Filter><S3Key><FilterRule>`s. Topic, queue and
 * EventBridge destinations are refused: Forte has no SNS, SQS or bus for them.
 */
export function parseNotificationXml(xml: string): NotificationConfiguration {
  const inner = elements(xml, 'NotificationConfiguration')[0];
  if (inner === undefined) throw malformed();
  for (const [tag, what] of [
    ['TopicConfiguration', 'topic'],
    ['QueueConfiguration', 'queue'],
  ] as const) {
    const arn = elements(inner, tag).map((c) => text(c, tag === 'TopicConfiguration' ? 'Topic' : 'Queue') ?? '')[0];
    if (arn !== undefined) throw unvalidatedDestination(arn, `Forte delivers notifications to Lambda functions only, not to a ${what}.`);
  }
  if (elements(inner, 'EventBridgeConfiguration').length > 0)
    throw S3_ERRORS.error('NotImplemented', 'EventBridge notifications are not implemented: use a Lambda destination.');
  const lambda = [...elements(inner, 'CloudFunctionConfiguration'), ...elements(inner, 'LambdaFunctionConfiguration')].map((c): LambdaNotification => {
    const functionArn = text(c, 'CloudFunction') ?? text(c, 'LambdaFunctionArn');
    if (functionArn === undefined) throw malformed();
    const rules = elements(c, 'FilterRule').map((r) => ruleOf(text(r, 'Name') ?? '', text(r, 'Value') ?? ''));
    return { id: text(c, 'Id') || generatedId(), functionArn, events: elements(c, 'Event').map((e) => xmlUnescape(e.trim())), rules };
  });
  return checkConfiguration({ lambda });
}

/** The configuration as GetBucketNotificationConfiguration answers it (inside `<NotificationConfiguration>`). */
export function notificationXml(config: NotificationConfiguration): string {
  return config.lambda
    .map((target) => {
      const rules = target.rules.map((r) => `<FilterRule>${el('Name', r.name)}${el('Value', r.value)}</FilterRule>`).join('');
      return (
        `<CloudFunctionConfiguration>${el('Id', target.id)}${el('CloudFunction', target.functionArn)}` +
        target.events.map((e) => el('Event', e)).join('') +
        (rules === '' ? '' : `<Filter><S3Key>${rules}</S3Key></Filter>`) +
        '</CloudFunctionConfiguration>'
      );
    })
    .join('');
}

/**
 * The `NotificationConfiguration` property of `AWS::S3::Bucket`: `LambdaConfigurations` of `{Event, Function,
 * Filter: {S3Key: {Rules: [{Name, Value}]}}}` (one event each, as CloudFormation writes them). Topic, queue
 * and EventBridge destinations are refused as in the API. Throws InvalidArgument (or NotImplemented).
 */
export function notificationFromTemplate(property: unknown): NotificationConfiguration {
  if (property === undefined || property === null) return { lambda: [] };
  if (typeof property !== 'object' || Array.isArray(property)) throw invalid('NotificationConfiguration must be an object.');
  const props = property as Record<string, unknown>;
  for (const name of ['TopicConfigurations', 'QueueConfigurations'])
    if (Array.isArray(props[name]) && props[name].length > 0)
      throw invalid(`NotificationConfiguration.${name}: Forte delivers notifications to Lambda functions only.`);
  if (props.EventBridgeConfiguration !== undefined)
    throw S3_ERRORS.error('NotImplemented', 'EventBridge notifications are not implemented: use a Lambda destination.');
  const list = props.LambdaConfigurations ?? [];
  if (!Array.isArray(list)) throw invalid('NotificationConfiguration.LambdaConfigurations must be a list.');
  const lambda = list.map((entry: unknown, i): LambdaNotification => {
    const item = (entry ?? {}) as Record<string, unknown>;
    if (typeof item.Event !== 'string' || typeof item.Function !== 'string' || item.Function === '') {
      throw invalid(`NotificationConfiguration.LambdaConfigurations[${i}] needs Event and Function (strings).`);
    }
    const rules = ((item.Filter as { S3Key?: { Rules?: unknown } } | undefined)?.S3Key?.Rules ?? []) as unknown;
    if (!Array.isArray(rules)) throw invalid(`NotificationConfiguration.LambdaConfigurations[${i}].Filter.S3Key.Rules must be a list.`);
    return {
      id: generatedId(),
      functionArn: item.Function,
      events: [item.Event],
      rules: rules.map((rule: unknown) => {
        const r = (rule ?? {}) as Record<string, unknown>;
        return ruleOf(String(r.Name ?? ''), String(r.Value ?? ''));
      }),
    };
  });
  return checkConfiguration({ lambda });
}
