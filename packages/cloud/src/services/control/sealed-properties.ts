import { isDeepStrictEqual } from 'node:util';
import type { SecretBox } from '../../kernel/secret-box.js';
import { NO_ECHO_MASK_SOURCE } from './no-echo-parameters.js';

/**
 * The resolved properties of a resource whose masked copy hides NoEcho values, kept sealed beside it so a
 * rollback can give the handler what it had before rather than the masks. Each sealed copy is bound to
 * where it belongs: a deployed resource (app, environment, logical and physical id) or one journal row's
 * create (deployment, logical id): copied into another row, it does not open there.
 */

/** The context of a deployed resource's sealed properties (`control_resources.sealed_properties`). */
export function deployedPropertiesContext(appId: string, envName: string, logicalId: string, physicalId: string): string {
  return `control_resources.sealed_properties:${appId}:${envName}:${logicalId}:${physicalId}`;
}

/** The context of the sealed properties of a deployment's create of one resource (its journal row). */
export function createPropertiesContext(deploymentId: string, logicalId: string): string {
  return `control_journal.create:${deploymentId}:${logicalId}`;
}

/**
 * `props` sealed for `context` when masking changed something (a NoEcho value is in them), else undefined:
 * the masked copy is then the whole truth. Without a secret box there are no NoEcho values (they are refused).
 */
export function sealProperties(
  secrets: SecretBox | undefined,
  context: string,
  props: Record<string, unknown>,
  masked: Record<string, unknown>,
): string | undefined {
  if (!secrets || isDeepStrictEqual(props, masked)) return undefined;
  return secrets.seal(JSON.stringify(props), context);
}

/**
 * The properties a sealed copy holds, or `masked` when there is none (nothing was hidden, or the row was
 * written before sealed copies were kept). Throws, naming the cause, when the copy does not open.
 */
export function openProperties(secrets: SecretBox | undefined, context: string, sealed: unknown, masked: Record<string, unknown>): Record<string, unknown> {
  if (typeof sealed !== 'string') return masked;
  if (!secrets) throw new Error('its previous properties are sealed, and this stack engine has no secret box to open them');
  return JSON.parse(secrets.open(sealed, context)) as Record<string, unknown>;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const WHOLE_MASK = new RegExp(`^${NO_ECHO_MASK_SOURCE}$`);
const ANY_MASK = new RegExp(NO_ECHO_MASK_SOURCE);

/**
 * The values the masks in `masked` stand for, read off the unmasked `clear`: a whole string masked is one,
 * and in a longer string each mask stands for the text at its place. Used to mask the
 * messages of a handler that was given the unmasked properties.
 */
export function hiddenValues(clear: unknown, masked: unknown, found: Set<string> = new Set()): Set<string> {
  if (typeof clear === 'string' && typeof masked === 'string') {
    if (clear === masked || !ANY_MASK.test(masked)) return found;
    if (WHOLE_MASK.test(masked)) return found.add(clear);
    const literals = masked.split(new RegExp(NO_ECHO_MASK_SOURCE));
    const parts = new RegExp(`^${literals.map(escapeRegExp).join('(.+?)')}$`, 's').exec(clear);
    for (const part of parts?.slice(1) ?? []) if (part) found.add(part);
    return found;
  }
  if (Array.isArray(clear) && Array.isArray(masked)) {
    clear.forEach((value, i) => hiddenValues(value, masked[i], found));
  } else if (clear && masked && typeof clear === 'object' && typeof masked === 'object') {
    for (const [key, value] of Object.entries(clear)) hiddenValues(value, (masked as Record<string, unknown>)[key], found);
  }
  return found;
}
