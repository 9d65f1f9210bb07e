import { STANDARD_ATTRIBUTES as COGNITO_STANDARD_ATTRIBUTES, type UserPoolSchemaAttribute } from '@forte/protocol';
import { cognitoError, invalidParameter } from './cognito-error.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import type { StoredUser } from './user-store.js';

/** Cognito's standard attributes: the ones every pool has besides `sub`. */
export const STANDARD_ATTRIBUTES: ReadonlySet<string> = new Set(COGNITO_STANDARD_ATTRIBUTES);

/** Verification flags: set by Cognito (codes) and admins, never by users. */
export const VERIFIED_FLAGS: ReadonlySet<string> = new Set(['email_verified', 'phone_number_verified']);

interface AttributeRule {
  mutable: boolean;
  developerOnly: boolean;
  type: NonNullable<UserPoolSchemaAttribute['AttributeDataType']>;
  minLength?: number;
  maxLength: number;
  minValue?: number;
  maxValue?: number;
}

const STANDARD_RULE: AttributeRule = { mutable: true, developerOnly: false, type: 'String', maxLength: 2048 };
const CUSTOM_MAX_LENGTH = 2048;

/** The attribute name a schema entry declares: `custom:x`, or `dev:custom:x` for developer-only ones. */
function declaredName(entry: UserPoolSchemaAttribute): string {
  if (STANDARD_ATTRIBUTES.has(entry.Name) || entry.Name === 'sub') return entry.Name;
  const bare = entry.Name.replace(/^(dev:)?custom:/, '');
  return entry.DeveloperOnlyAttribute ? `dev:custom:${bare}` : `custom:${bare}`;
}

const numberOf = (value: string | number | undefined): number | undefined => (value === undefined ? undefined : Number(value));

/** The rule for an attribute name in this pool, or undefined when the pool has no such attribute. */
export function attributeRule(pool: StoredPool, name: string): AttributeRule | undefined {
  const entry = (pool.config.Schema ?? []).find((e) => declaredName(e) === name);
  if (!entry) return STANDARD_ATTRIBUTES.has(name) ? STANDARD_RULE : undefined;
  const rule: AttributeRule = {
    mutable: entry.Mutable ?? true,
    developerOnly: entry.DeveloperOnlyAttribute ?? false,
    type: entry.AttributeDataType ?? 'String',
    maxLength: numberOf(entry.StringAttributeConstraints?.MaxLength) ?? (STANDARD_ATTRIBUTES.has(name) ? 2048 : CUSTOM_MAX_LENGTH),
  };
  const minLength = numberOf(entry.StringAttributeConstraints?.MinLength);
  if (minLength !== undefined) rule.minLength = minLength;
  const minValue = numberOf(entry.NumberAttributeConstraints?.MinValue);
  if (minValue !== undefined) rule.minValue = minValue;
  const maxValue = numberOf(entry.NumberAttributeConstraints?.MaxValue);
  if (maxValue !== undefined) rule.maxValue = maxValue;
  return rule;
}

/** Attributes the pool requires at sign-up: `RequiredAttributes` and `Schema` entries with `Required: true`. */
export function requiredAttributes(pool: StoredPool): string[] {
  const fromSchema = (pool.config.Schema ?? []).filter((e) => e.Required === true).map(declaredName);
  return [...new Set<string>([...(pool.config.RequiredAttributes ?? []), ...fromSchema])];
}

/**
 * The pool's attributes as DescribeUserPool's `SchemaAttributes` lists them: `sub` (never mutable), the
 * standard attributes and verification flags, then the declared custom ones under the names users see
 * (`custom:x`, `dev:custom:x`), each with whether it is mutable and required.
 */
export function schemaAttributes(pool: StoredPool): UserPoolSchemaAttribute[] {
  const required = new Set(requiredAttributes(pool));
  const declared = new Map((pool.config.Schema ?? []).map((e) => [declaredName(e), e]));
  const entry = (name: string, type: NonNullable<UserPoolSchemaAttribute['AttributeDataType']>): UserPoolSchemaAttribute => {
    const own = declared.get(name);
    declared.delete(name);
    return {
      AttributeDataType: type,
      DeveloperOnlyAttribute: false,
      Mutable: true,
      ...own,
      Name: name,
      Required: required.has(name),
    };
  };
  return [
    { Name: 'sub', AttributeDataType: 'String', DeveloperOnlyAttribute: false, Mutable: false, Required: true },
    ...[...STANDARD_ATTRIBUTES].map((name) => entry(name, 'String')),
    ...[...VERIFIED_FLAGS].map((name) => entry(name, 'Boolean')),
    ...[...declared.keys()].filter((name) => name !== 'sub').map((name) => entry(name, 'String')),
  ];
}

const notInSchema = (): Error => invalidParameter('Attribute does not exist in the schema.');
const unauthorizedWrite = (): Error => cognitoError('NotAuthorizedException', 'A client attempted to write unauthorized attribute');

function checkValue(name: string, value: string, rule: AttributeRule): void {
  if (value.length > rule.maxLength || (rule.minLength !== undefined && value !== '' && value.length < rule.minLength)) {
    throw invalidParameter(`Invalid user attributes: ${name}: The attribute value length is out of range.`);
  }
  if (rule.type === 'Number' && value !== '') {
    const n = Number(value);
    if (!Number.isFinite(n) || !/^-?\d+(\.\d+)?$/.test(value)) throw invalidParameter(`Invalid user attributes: ${name}: Number expected.`);
    if ((rule.minValue !== undefined && n < rule.minValue) || (rule.maxValue !== undefined && n > rule.maxValue)) {
      throw invalidParameter(`Invalid user attributes: ${name}: The attribute value is out of range.`);
    }
  }
  if (rule.type === 'Boolean' && value !== '' && value !== 'true' && value !== 'false')
    throw invalidParameter(`Invalid user attributes: ${name}: Boolean expected.`);
}

/** Whether the client lets its users write `name` (absent WriteAttributes: every attribute users may write). */
function clientWrites(client: StoredClient, name: string): boolean {
  return client.writeAttributes === undefined || client.writeAttributes.includes(name);
}

/**
 * Refuses what a user may not write through this client (SignUp, UpdateUserAttributes, the
 * NEW_PASSWORD_REQUIRED answer): `sub`; the verification flags; names outside the pool's schema (reserved
 * `cognito:` claims, undeclared `custom:` ones) and developer-only attributes; attributes the client's
 * `WriteAttributes` leave out; a changed non-mutable attribute after creation; values outside the schema's
 * constraints. Nothing is written when any attribute is refused.
 */
export function checkUserWrite(pool: StoredPool, client: StoredClient, changes: Record<string, string>, existing: StoredUser | undefined): void {
  for (const [name, value] of Object.entries(changes)) {
    if (name === 'sub') throw invalidParameter('Cannot modify the non-mutable attribute sub');
    if (VERIFIED_FLAGS.has(name)) throw unauthorizedWrite();
    const rule = attributeRule(pool, name);
    if (!rule) throw notInSchema();
    if (rule.developerOnly || !clientWrites(client, name)) throw unauthorizedWrite();
    checkMutable(name, value, rule, existing);
    checkValue(name, value, rule);
  }
}

/**
 * Refuses what an admin may not write (AdminCreateUser, AdminUpdateUserAttributes): `sub`, names outside
 * the schema, a changed non-mutable attribute, values outside constraints. Admins may set the verification
 * flags (`true`/`false`) and developer-only attributes, as in Cognito.
 */
export function checkAdminWrite(pool: StoredPool, changes: Record<string, string>, existing: StoredUser | undefined): void {
  for (const [name, value] of Object.entries(changes)) {
    if (name === 'sub') throw invalidParameter('Cannot modify the non-mutable attribute sub');
    if (VERIFIED_FLAGS.has(name)) {
      if (value !== 'true' && value !== 'false') throw invalidParameter(`Invalid user attributes: ${name}: Boolean expected.`);
      continue;
    }
    const rule = attributeRule(pool, name);
    if (!rule) throw notInSchema();
    checkMutable(name, value, rule, existing);
    checkValue(name, value, rule);
  }
}

function checkMutable(name: string, value: string, rule: AttributeRule, existing: StoredUser | undefined): void {
  const current = existing?.attributes[name];
  if (current !== undefined && !rule.mutable && current !== value) throw invalidParameter(`Cannot modify the non-mutable attribute ${name}`);
}

/**
 * The attributes a client's users read (GetUser, the ID token): names the pool knows (standard, declared
 * custom, the verification flags; never developer-only ones, reserved claims, or names stored before
 * these rules), limited to the client's `ReadAttributes` when it has them. `sub` is not included here.
 */
export function readableAttributes(pool: StoredPool, client: StoredClient | undefined, user: StoredUser): Array<[string, string]> {
  return Object.entries(user.attributes).filter(([name]) => {
    if (name === 'sub') return false;
    if (!VERIFIED_FLAGS.has(name)) {
      const rule = attributeRule(pool, name);
      if (!rule || rule.developerOnly) return false;
    }
    return client?.readAttributes === undefined || client.readAttributes.includes(name);
  });
}
