import { createHmac } from 'node:crypto';
import type { Template } from '@forte/protocol';
import type { SecretBox } from '../../kernel/secret-box.js';
import { controlError } from './control-errors.js';

/** Whether a root parameter is declared `NoEcho` (CloudFormation accepts true and "true"). */
export function isNoEcho(template: Template, name: string): boolean {
  const declared = template.Parameters?.[name] as Record<string, unknown> | undefined;
  return declared?.['NoEcho'] === true || declared?.['NoEcho'] === 'true';
}

const contextOf = (changeSetId: string, name: string): string => `control_change_sets.parameters:${changeSetId}:${name}`;

/**
 * The change set's parameters as they are stored: the values of NoEcho parameters sealed with the cloud's
 * secret box (bound to the change set and the parameter), so the database holds none of them in clear.
 * Without a secret box a NoEcho value is refused rather than stored in clear.
 */
export function sealNoEchoParameters(
  secrets: SecretBox | undefined,
  changeSetId: string,
  template: Template,
  parameters: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parameters)) {
    if (!isNoEcho(template, name) || value === undefined) {
      out[name] = value;
      continue;
    }
    if (!secrets) throw controlError('ValidationException', `Parameter ${name} is NoEcho, and this stack engine has no secret box to keep its value sealed.`);
    out[name] = secrets.seal(typeof value === 'string' ? value : JSON.stringify(value), contextOf(changeSetId, name));
  }
  return out;
}

/** The stored parameters with the NoEcho values opened again, to deploy with. */
export function openNoEchoParameters(
  secrets: SecretBox | undefined,
  changeSetId: string,
  template: Template,
  parameters: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parameters)) {
    out[name] =
      secrets && isNoEcho(template, name) && typeof value === 'string' && secrets.isSealed(value) ? secrets.open(value, contextOf(changeSetId, name)) : value;
  }
  return out;
}

/** What a read shows for a NoEcho parameter's value, as CloudFormation does. */
export const NO_ECHO_MASK = '****';

/** A mask as `noEchoMask` writes it, whole or inside a longer string (`****`, or `****:<digest>`). */
export const NO_ECHO_MASK_SOURCE = String.raw`\*\*\*\*(?::[0-9a-f]{16})?`;

/** Whether a stored value is a NoEcho value's mask (`****`, with the digest that tells a changed value). */
export function isMasked(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(NO_ECHO_MASK);
}

/**
 * Replaces the values of NoEcho parameters wherever they occur in what the control service keeps or answers
 * (resolved properties, the journal, nested stacks' parameters and outputs, events): each occurrence, whole
 * string or inside a longer one, becomes `****:<digest>`, where the digest (an HMAC with a key derived from the
 * cloud's secret key) lets a plan tell a changed value from an unchanged one without keeping it. Without a key
 * (messages answered before anything is kept) it is `****`.
 */
export function noEchoMask(values: readonly unknown[], digestKey: Buffer | undefined): <T>(value: T) => T {
  const secrets = [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))].sort((a, b) => b.length - a.length);
  const digest = (value: string): string =>
    digestKey ? `${NO_ECHO_MASK}:${createHmac('sha256', digestKey).update(value).digest('hex').slice(0, 16)}` : NO_ECHO_MASK;
  // One pass, longest first: a shorter value is never looked for inside a digest written for a longer one.
  const anywhere = new RegExp(secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return secrets.includes(value) ? digest(value) : value.replace(anywhere, digest);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return <T>(value: T): T => (secrets.length === 0 ? value : (walk(value) as T));
}
