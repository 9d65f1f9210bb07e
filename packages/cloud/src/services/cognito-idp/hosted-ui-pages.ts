import { xmlEscape as escapeXml } from '../../kernel/xml-escape.js';
import { page } from './login-page.js';

/** The second factors the hosted UI's MFA page asks for. */
export type MfaKind = 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA' | 'MFA_SETUP';

/** One input of a hosted-UI form. */
export interface Field {
  name: string;
  label: string;
  type?: 'text' | 'password' | 'email' | 'tel';
  autocomplete?: string;
  value?: string | undefined;
  hint?: string | undefined;
  inputmode?: 'numeric';
}

/** What every form of the hosted UI's account pages shows besides its fields. */
export interface FormPage {
  action: string;
  cssHref: string;
  hidden: Record<string, string>;
  csrf: string;
  error?: string | undefined;
  notice?: string | undefined;
  /** Links under the form (back to sign-in...). */
  links?: Array<{ href: string; text: string }>;
  /** A second, smaller form under the first (Resend code): the same hidden fields and CSRF token, plus its own. */
  secondary?: { button: string; hidden: Record<string, string> } | undefined;
}

function fieldHtml(field: Field): string {
  const hintId = field.hint ? ` aria-describedby="${escapeXml(field.name)}-hint"` : '';
  return `<label class="label-customizable" for="${escapeXml(field.name)}">${escapeXml(field.label)}</label>
${field.hint ? `<p class="note hint textDescription-customizable" id="${escapeXml(field.name)}-hint">${escapeXml(field.hint)}</p>\n` : ''}<input class="inputField-customizable" type="${field.type ?? 'text'}" id="${escapeXml(field.name)}" name="${escapeXml(field.name)}"${
    field.autocomplete ? ` autocomplete="${field.autocomplete}"` : ''
  }${field.inputmode ? ` inputmode="${field.inputmode}"` : ''}${hintId} required value="${escapeXml(field.value ?? '')}">`;
}

/** A titled form: notices, the error, hidden fields (the authorize request, the CSRF token), the fields, a button. */
export function formPage(title: string, intro: string | undefined, fields: Field[], button: string, options: FormPage): string {
  const hidden = Object.entries({ ...options.hidden, _csrf: options.csrf })
    .map(([name, value]) => `<input type="hidden" name="${escapeXml(name)}" value="${escapeXml(value)}">`)
    .join('\n');
  const secondary = options.secondary
    ? `\n<form method="post" action="${escapeXml(options.action)}" class="secondary">\n${Object.entries({
        ...options.hidden,
        _csrf: options.csrf,
        ...options.secondary.hidden,
      })
        .map(([name, value]) => `<input type="hidden" name="${escapeXml(name)}" value="${escapeXml(value)}">`)
        .join('\n')}\n<button class="link-button" type="submit">${escapeXml(options.secondary.button)}</button>\n</form>`
    : '';
  const links = options.links?.length
    ? `\n<p class="links">${options.links.map((l) => `<a href="${escapeXml(l.href)}">${escapeXml(l.text)}</a>`).join(' ')}</p>`
    : '';
  return page(
    title,
    `<h1>${escapeXml(title)}</h1>
${intro ? `<p class="note intro textDescription-customizable">${escapeXml(intro)}</p>\n` : ''}${options.notice ? `<p class="notice" role="status">${escapeXml(options.notice)}</p>\n` : ''}${
      options.error ? `<p class="error errorMessage-customizable" role="alert">${escapeXml(options.error)}</p>\n` : ''
    }<form method="post" action="${escapeXml(options.action)}">
${hidden}
${fields.map(fieldHtml).join('\n')}
<button class="submitButton-customizable" type="submit">${escapeXml(button)}</button>
</form>${secondary}${links}`,
    options.cssHref,
  );
}

const CODE_FIELD: Field = { name: 'code', label: 'Code', autocomplete: 'one-time-code', inputmode: 'numeric' };

/** The MFA page: a TOTP code, a code sent by text message, or setting up an authenticator app (its key as text). */
export function mfaPage(
  options: FormPage & { kind: MfaKind; destination: string | undefined; secret: string | undefined; otpauth: string | undefined },
): string {
  const hidden = { ...options.hidden, step: 'mfa' };
  if (options.kind === 'MFA_SETUP') {
    const html = formPage(
      'Set up two-step sign-in',
      'This app requires a second step when you sign in. Add this key to an authenticator app (such as Google Authenticator or 1Password), then enter the 6-digit code it shows.',
      [CODE_FIELD],
      'Verify and sign in',
      { ...options, hidden },
    );
    return html.replace(
      '<form method="post"',
      `<p class="secret" id="secret" aria-label="Authenticator key">${escapeXml(options.secret ?? '')}</p>
<p class="note">Or open <a href="${escapeXml(options.otpauth ?? '')}">this link</a> on the device with your authenticator app.</p>
<form method="post"`,
    );
  }
  const intro =
    options.kind === 'SMS_MFA'
      ? `We sent a code by text message to ${options.destination ?? 'your phone'}. Enter it to sign in.`
      : 'Enter the 6-digit code from your authenticator app.';
  return formPage('Two-step sign-in', intro, [CODE_FIELD], 'Sign in', { ...options, hidden });
}
