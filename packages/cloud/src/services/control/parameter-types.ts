import type { TemplateParameter } from '@forte/protocol';
import { TemplateError, declaredAt, type StackScope } from './evaluate-intrinsics.js';

/** `AWS::EC2::KeyPair::KeyName` and the like: names CloudFormation checks against the account; here plain text. */
const AWS_SPECIFIC = /^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)*$/;

const isNumber = (value: unknown): boolean =>
  typeof value === 'number' ? Number.isFinite(value) : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));

/**
 * Checks a parameter's value against its declared `Type` and `AllowedValues`, as CloudFormation does when
 * a stack is created: `String`, `Number`, `CommaDelimitedList`, `List<Number>`, `List<...>` and the
 * `AWS::...` name types (plain text here). `AWS::SSM::Parameter::Value<...>` is refused: the engine does
 * not read Parameter Store while deploying.
 */
export function checkParameterValue(name: string, declared: TemplateParameter, value: unknown, scope: StackScope): void {
  const where = `Parameter ${name} (${declaredAt(scope)})`;
  const type = declared.Type;
  const list = type === 'CommaDelimitedList' || type.startsWith('List<');
  if (type.startsWith('AWS::SSM::Parameter::')) {
    throw new TemplateError(`${where}: Type ${type} is not supported (the stack engine does not read Parameter Store); use Type String`);
  }
  if (type !== 'String' && type !== 'Number' && !list && !AWS_SPECIFIC.test(type)) {
    throw new TemplateError(`${where}: unknown Type ${type} (use String, Number, CommaDelimitedList or List<Number>)`);
  }
  const items = list ? (typeof value === 'string' ? value.split(',') : Array.isArray(value) ? (value as unknown[]) : [value]) : [value];
  if (!list && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TemplateError(`${where}: the value must be text or a number, not ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}`);
  }
  if (type === 'Number' || type === 'List<Number>') {
    const bad = items.find((item) => !isNumber(item));
    if (bad !== undefined) throw new TemplateError(`${where}: Type ${type} needs numbers; got ${JSON.stringify(bad)}`);
  }
  if (declared.AllowedValues) {
    const allowed = declared.AllowedValues.map(String);
    const bad = items.find((item) => !allowed.includes(String(item)));
    if (bad !== undefined) throw new TemplateError(`${where} must be one of ${allowed.join(', ')}; got ${String(bad)}`);
  }
}
