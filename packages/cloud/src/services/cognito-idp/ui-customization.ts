import { cognitoError, invalidParameter } from './cognito-error.js';
import { requirePool, type CognitoState } from './cognito-state.js';
import { domainBaseUrl } from './hosted-ui-address.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { ResourceHandler } from '../../kernel/types.js';
import type { UserOperation } from './user-operation.js';

/** The classes (and pseudo-classes) Cognito's classic hosted UI lets a pool style, and the properties of each. */
const ALLOWED: Record<string, readonly string[]> = {
  'background-customizable': ['background-color'],
  'banner-customizable': ['padding', 'background-color'],
  'errorMessage-customizable': ['margin', 'padding', 'font-size', 'width', 'background', 'border', 'color', 'box-sizing'],
  'idpButton-customizable': ['height', 'width', 'text-align', 'margin-bottom', 'color', 'background-color', 'border-color'],
  'idpButton-customizable:hover': ['color', 'background-color'],
  'idpDescription-customizable': ['padding-top', 'padding-bottom', 'display', 'font-size'],
  'inputField-customizable': ['width', 'height', 'color', 'background-color', 'border'],
  'inputField-customizable:focus': ['border-color', 'outline'],
  'label-customizable': ['font-weight'],
  'legalText-customizable': ['color', 'font-size'],
  'logo-customizable': ['max-width', 'max-height'],
  'passwordCheck-notValid-customizable': ['color'],
  'passwordCheck-valid-customizable': ['color'],
  'socialButton-customizable': ['height', 'text-align', 'width', 'margin-bottom'],
  'submitButton-customizable': ['font-size', 'font-weight', 'margin', 'width', 'height', 'color', 'background-color'],
  'submitButton-customizable:hover': ['color', 'background-color'],
  'textDescription-customizable': ['padding-top', 'padding-bottom', 'display', 'font-size'],
};
/** Colors, lengths, keywords and rgb()/hsl(): nothing that loads anything (no url(), no @import) or escapes the rule. */
const VALUE = /^[#a-zA-Z0-9 .,%()-]{1,200}$/;
const MAX_CSS = 131_072;
const MAX_IMAGE = 100 * 1024;

/**
 * A pool's CSS checked as Cognito checks it: only `.<class>-customizable` rules of the classes above, each with
 * only that class's properties, values without url(), functions other than colors, or anything that could end
 * the rule. Answers the CSS rewritten as checked (comments dropped), or throws InvalidParameterException naming
 * the rule or property.
 */
export function checkCustomCss(css: string): string {
  if (css.length > MAX_CSS) throw invalidParameter(`CSS is ${css.length} characters; at most ${MAX_CSS}.`);
  let rest = withoutComments(css).trim();
  const rules: string[] = [];
  while (rest !== '') {
    const match = /^\.([A-Za-z-]+(?::hover|:focus)?)\s*\{([^{}]*)\}\s*/.exec(rest);
    if (!match) throw invalidParameter(`CSS must be rules of the form .label-customizable { font-weight: 700; }; cannot read "${rest.slice(0, 40)}".`);
    const [whole, selector = '', body = ''] = match;
    const properties = ALLOWED[selector];
    if (!properties) throw invalidParameter(`CSS class .${selector} cannot be customized; use one of ${Object.keys(ALLOWED).join(', ')}.`);
    const declarations: string[] = [];
    for (const part of body.split(';')) {
      if (part.trim() === '') continue;
      const colon = part.indexOf(':');
      const name = part.slice(0, colon).trim().toLowerCase();
      const value = part.slice(colon + 1).trim();
      if (colon < 0 || !properties.includes(name))
        throw invalidParameter(`CSS property ${colon < 0 ? part.trim() : name} of .${selector} cannot be customized; it allows ${properties.join(', ')}.`);
      if (!VALUE.test(value) || /url\s*\(|expression\s*\(|var\s*\(/i.test(value))
        throw invalidParameter(`CSS value "${value.slice(0, 60)}" of .${selector} ${name} is not allowed: use colors, lengths and keywords.`);
      declarations.push(`${name}:${value}`);
    }
    rules.push(`.${selector}{${declarations.join(';')}}`);
    rest = rest.slice(whole.length);
  }
  return rules.join('\n');
}

/**
 * `css` with each comment replaced by a space; an unclosed one is left in place (the rules then fail to read).
 * By search rather than a lazy regular expression, which reread the rest of the text from every `/*` left open.
 */
function withoutComments(css: string): string {
  let out = '';
  let from = 0;
  for (let open = css.indexOf('/*'); open >= 0; open = css.indexOf('/*', from)) {
    const close = css.indexOf('*/', open + 2);
    if (close < 0) break;
    out += `${css.slice(from, open)} `;
    from = close + 2;
  }
  return out + css.slice(from);
}

/** The logo's type, from its first bytes: Cognito takes PNG and JPEG. */
function imageType(image: Buffer): string | undefined {
  if (image.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (image[0] === 0xff && image[1] === 0xd8 && image[2] === 0xff) return 'image/jpeg';
  return undefined;
}

/** One pool's (client `ALL`) or one client's UI customization. */
export interface UiCustomization {
  poolId: string;
  clientId: string;
  css: string | undefined;
  image: Buffer | undefined;
  imageType: string | undefined;
  /** Milliseconds of the last change: the CSS version and the logo's cache key. */
  updatedAt: number;
  createdAt: number;
}

interface Row {
  pool_id: string;
  client_id: string;
  css: string | null;
  image: string | null;
  image_type: string | null;
  created_at: number;
  updated_at: number;
}

/** The customization the hosted UI applies for a client: its own, else the pool's (`ALL`), as Cognito falls back. */
export async function customizationFor(state: CognitoState, poolId: string, clientId: string | undefined): Promise<UiCustomization | undefined> {
  const rows = await state.sql.all<Row>('SELECT * FROM cognito_ui_customizations WHERE pool_id = ? AND client_id IN (?, ?)', [
    poolId,
    clientId ?? 'ALL',
    'ALL',
  ]);
  const row = rows.find((r) => r.client_id === clientId) ?? rows.find((r) => r.client_id === 'ALL');
  return row
    ? {
        poolId: row.pool_id,
        clientId: row.client_id,
        css: row.css ?? undefined,
        image: row.image ? Buffer.from(row.image, 'base64') : undefined,
        imageType: row.image_type ?? undefined,
        updatedAt: Number(row.updated_at),
        createdAt: Number(row.created_at),
      }
    : undefined;
}

/**
 * Replaces the customization of a pool (`ALL`) or client. Neither CSS nor a logo: it has none any more, and a
 * client falls back to the pool's.
 */
async function putCustomization(
  state: CognitoState,
  poolId: string,
  clientId: string,
  next: { css: string | undefined; image: Buffer | undefined; imageType: string | undefined },
): Promise<void> {
  const now = Date.now();
  await state.sql.transaction(async (tx) => {
    const old = await tx.get<{ created_at: number }>('SELECT created_at FROM cognito_ui_customizations WHERE pool_id = ? AND client_id = ?', [
      poolId,
      clientId,
    ]);
    await tx.run('DELETE FROM cognito_ui_customizations WHERE pool_id = ? AND client_id = ?', [poolId, clientId]);
    if (next.css === undefined && next.image === undefined) return;
    await tx.run('INSERT INTO cognito_ui_customizations (pool_id, client_id, css, image, image_type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      poolId,
      clientId,
      next.css ?? null,
      next.image?.toString('base64') ?? null,
      next.imageType ?? null,
      old?.created_at ?? now,
      now,
    ]);
  });
}

/** SetUICustomization and GetUICustomization: signed admin operations, per pool (`ClientId` absent or `ALL`) or per client. */
export function uiCustomizationOperations(state: CognitoState): Record<string, UserOperation> {
  const target = async (input: Record<string, unknown>): Promise<{ poolId: string; clientId: string; domain: string | undefined }> => {
    const pool = await requirePool(state, input.UserPoolId);
    const clientId = typeof input.ClientId === 'string' && input.ClientId !== '' ? input.ClientId : 'ALL';
    if (clientId !== 'ALL') {
      const client = await state.pools.getClient(clientId);
      if (!client || client.poolId !== pool.id) throw cognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    }
    return { poolId: pool.id, clientId, domain: await state.pools.domainOfPool(pool.id) };
  };
  const describe = (found: UiCustomization | undefined, poolId: string, clientId: string, domain: string | undefined): Record<string, unknown> => ({
    UICustomization: {
      UserPoolId: poolId,
      ClientId: found?.clientId ?? clientId,
      ...(found?.css !== undefined ? { CSS: found.css, CSSVersion: String(found.updatedAt) } : {}),
      ...(found?.image && domain
        ? {
            ImageUrl: `${domainBaseUrl(state.kernel, domain)}/logo?${new URLSearchParams({ client_id: found.clientId, v: String(found.updatedAt) }).toString()}`,
          }
        : {}),
      ...(found ? { CreationDate: found.createdAt / 1000, LastModifiedDate: found.updatedAt / 1000 } : {}),
    },
  });
  return {
    async SetUICustomization(input) {
      const { poolId, clientId, domain } = await target(input);
      if (!domain) throw invalidParameter('There has to be an existing domain associated with this user pool: create one with CreateUserPoolDomain first.');
      if (input.CSS !== undefined && typeof input.CSS !== 'string') throw invalidParameter('CSS must be a string.');
      if (input.ImageFile !== undefined && typeof input.ImageFile !== 'string') throw invalidParameter('ImageFile must be a PNG or JPEG file (base64).');
      const css = typeof input.CSS === 'string' && input.CSS.trim() !== '' ? checkCustomCss(input.CSS) : undefined;
      const image = typeof input.ImageFile === 'string' && input.ImageFile !== '' ? Buffer.from(input.ImageFile, 'base64') : undefined;
      const type = image ? imageType(image) : undefined;
      if (image && image.length > MAX_IMAGE) throw invalidParameter(`The logo is ${image.length} bytes; at most ${MAX_IMAGE} (100 KB).`);
      if (image && !type) throw invalidParameter('The logo must be a PNG or JPEG file.');
      await putCustomization(state, poolId, clientId, { css, image, imageType: type });
      return describe(await customizationFor(state, poolId, clientId === 'ALL' ? undefined : clientId), poolId, clientId, domain);
    },
    async GetUICustomization(input) {
      const { poolId, clientId, domain } = await target(input);
      return describe(await customizationFor(state, poolId, clientId === 'ALL' ? undefined : clientId), poolId, clientId, domain);
    },
  };
}

/** The stylesheet rules a customization adds after the hosted UI's own: its CSS, and its logo in the banner. */
export function customizationCss(found: UiCustomization | undefined): string {
  if (!found) return '';
  const logo = found.image
    ? `.logo-customizable{display:block;height:6rem;margin:0 auto 1rem;background:url("logo?${new URLSearchParams({ client_id: found.clientId, v: String(found.updatedAt) }).toString()}") center/contain no-repeat}\n`
    : '';
  return `${logo}${found.css ?? ''}\n`;
}

/** CloudFormation's resource for a pool's (`ClientId: ALL`) or client's CSS; a logo set by SetUICustomization stays. */
export const UI_CUSTOMIZATION_ATTACHMENT = 'AWS::Cognito::UserPoolUICustomizationAttachment';

/** The resource handler of `AWS::Cognito::UserPoolUICustomizationAttachment` (UserPoolId, ClientId, CSS; `Ref` is `<pool>:<client>`). */
export function uiCustomizationResourceHandlers(state: CognitoState): Record<string, ResourceHandler> {
  const apply = async (props: Record<string, unknown>): Promise<{ physicalId: string; attributes: Record<string, unknown> }> => {
    const fail = (message: string): never => {
      throw RESOURCE_ERRORS.error('ValidationException', `${UI_CUSTOMIZATION_ATTACHMENT} ${message}`);
    };
    const poolId = typeof props.UserPoolId === 'string' && props.UserPoolId !== '' ? props.UserPoolId : fail('UserPoolId: required.');
    const clientId =
      typeof props.ClientId === 'string' && props.ClientId !== '' ? props.ClientId : fail('ClientId: required (an app client, or ALL for the pool).');
    if (props.CSS !== undefined && typeof props.CSS !== 'string') fail('CSS: must be a string.');
    if (!(await state.pools.getPool(poolId))) fail(`UserPoolId: user pool ${poolId} does not exist.`);
    if (clientId !== 'ALL' && (await state.pools.getClient(clientId))?.poolId !== poolId)
      fail(`ClientId: app client ${clientId} is not in user pool ${poolId}.`);
    if (!(await state.pools.domainOfPool(poolId))) fail(`UserPoolId: user pool ${poolId} has no domain; add an AWS::Cognito::UserPoolDomain (DependsOn it).`);
    let css: string | undefined;
    try {
      css = typeof props.CSS === 'string' && props.CSS.trim() !== '' ? checkCustomCss(props.CSS) : undefined;
    } catch (error) {
      fail(`CSS: ${error instanceof Error ? error.message : String(error)}`);
    }
    const current = await customizationFor(state, poolId, clientId === 'ALL' ? undefined : clientId);
    const kept = current?.clientId === clientId ? current : undefined;
    await putCustomization(state, poolId, clientId, { css, image: kept?.image, imageType: kept?.imageType });
    return { physicalId: `${poolId}:${clientId}`, attributes: {} };
  };
  return {
    [UI_CUSTOMIZATION_ATTACHMENT]: {
      replaceOn: ['UserPoolId', 'ClientId'],
      create: (props) => apply(props),
      update: (_id, props) => apply(props),
      delete: async (id) => {
        const at = id.lastIndexOf(':');
        if (at > 0) await putCustomization(state, id.slice(0, at), id.slice(at + 1), { css: undefined, image: undefined, imageType: undefined });
      },
    },
  };
}
