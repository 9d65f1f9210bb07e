import { xmlEscape as escapeXml } from '../../kernel/xml-escape.js';

/**
 * The hosted UI's pages: plain HTML with one stylesheet of their own (no inline script or style, so the pages'
 * Content-Security-Policy allows nothing else), readable on a phone.
 */
export const HOSTED_UI_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

export const HOSTED_UI_CSS = `*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f3f4f6;color:#1f2937;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{width:100%;max-width:24rem;margin:1rem;padding:2rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{margin:0 0 1.5rem;font-size:1.375rem;font-weight:600}
label{display:block;margin:0 0 .25rem;font-weight:500}
input[type=text],input[type=password]{display:block;width:100%;margin:0 0 1rem;padding:.625rem .75rem;border:1px solid #9ca3af;border-radius:.375rem;font:inherit}
input:focus,button:focus{outline:3px solid #93c5fd;outline-offset:1px}
button{width:100%;padding:.625rem;border:0;border-radius:.375rem;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button:hover{background:#1e40af}
.providers{display:grid;gap:.5rem;margin:0 0 1rem}
.provider{display:block;padding:.625rem;border:1px solid #94a3b8;border-radius:.375rem;color:#0f172a;text-align:center;text-decoration:none;font-weight:600}
.provider:hover,.provider:focus{background:#f1f5f9}
.error{margin:0 0 1rem;padding:.75rem;border-radius:.375rem;background:#fef2f2;color:#991b1b;border:1px solid #fecaca}
.note{margin:1rem 0 0;color:#4b5563;font-size:.875rem}
.logo-customizable{display:none}
.notice{margin:0 0 1rem;padding:.75rem;border-radius:.375rem;background:#eff6ff;color:#1e3a8a;border:1px solid #bfdbfe}
.links{margin:1rem 0 0;display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap;font-size:.875rem}
a{color:#1d4ed8}
.link-button{width:auto;margin:.75rem 0 0;padding:0;background:none;color:#1d4ed8;font-weight:500;text-decoration:underline}
.link-button:hover{background:none;color:#1e40af}
.secret{display:block;margin:0 0 1rem;padding:.5rem;background:#f3f4f6;border-radius:.375rem;font:600 1rem/1.5 ui-monospace,monospace;word-break:break-all}
input[type=email],input[type=tel]{display:block;width:100%;margin:0 0 1rem;padding:.625rem .75rem;border:1px solid #9ca3af;border-radius:.375rem;font:inherit}
`;

export function page(title: string, body: string, cssHref: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<link rel="stylesheet" href="${escapeXml(cssHref)}">
</head>
<body class="background-customizable">
<main>
<div class="banner-customizable"><span class="logo-customizable" aria-hidden="true"></span></div>
${body}
</main>
</body>
</html>
`;
}

/** The sign-in form: the authorize parameters ride along as hidden fields, with the CSRF token. */
export function loginPage(options: {
  action: string;
  cssHref: string;
  hidden: Record<string, string>;
  csrf: string;
  username?: string | undefined;
  error?: string | undefined;
  notice?: string | undefined;
  usernameLabel: string;
  links?: { signUp: string; forgotPassword: string };
  /** Buttons of the app client's federated identity providers. */
  providers?: Array<{ name: string; href: string }> | undefined;
  /** false: the client signs in with its providers only, and the page has no user name and password form. */
  passwordForm?: boolean;
}): string {
  const providers = (options.providers ?? [])
    .map((p) => `<a class="provider" href="${escapeXml(p.href)}">Continue with ${escapeXml(PROVIDER_LABELS[p.name] ?? p.name)}</a>`)
    .join('\n');
  const hidden = Object.entries({ ...options.hidden, _csrf: options.csrf })
    .map(([name, value]) => `<input type="hidden" name="${escapeXml(name)}" value="${escapeXml(value)}">`)
    .join('\n');
  return page(
    'Sign in',
    `<h1>Sign in</h1>
${options.notice ? `<p class="notice" role="status">${escapeXml(options.notice)}</p>` : ''}
${options.error ? `<p class="error errorMessage-customizable" role="alert">${escapeXml(options.error)}</p>` : ''}
${providers ? `<div class="providers">${providers}</div>` : ''}
${
  options.passwordForm === false
    ? ''
    : `<form method="post" action="${escapeXml(options.action)}">
${hidden}
<label class="label-customizable" for="username">${escapeXml(options.usernameLabel)}</label>
<input class="inputField-customizable" type="text" id="username" name="username" autocomplete="username" autocapitalize="none" required value="${escapeXml(options.username ?? '')}">
<label class="label-customizable" for="password">Password</label>
<input class="inputField-customizable" type="password" id="password" name="password" autocomplete="current-password" required>
<button class="submitButton-customizable" type="submit">Sign in</button>
</form>`
}${
      options.links
        ? `\n<p class="links"><a href="${escapeXml(options.links.forgotPassword)}">Forgot your password?</a> <a href="${escapeXml(options.links.signUp)}">Need an account? Sign up</a></p>`
        : ''
    }`,
    options.cssHref,
  );
}

/** How the login page names the social providers. */
const PROVIDER_LABELS: Record<string, string> = { LoginWithAmazon: 'Amazon', SignInWithApple: 'Apple' };

/** The new-password form of a user who signed in with a temporary password. */
export function newPasswordPage(options: {
  action: string;
  cssHref: string;
  hidden: Record<string, string>;
  csrf: string;
  error?: string | undefined;
}): string {
  const hidden = Object.entries({ ...options.hidden, _csrf: options.csrf, step: 'new_password' })
    .map(([name, value]) => `<input type="hidden" name="${escapeXml(name)}" value="${escapeXml(value)}">`)
    .join('\n');
  return page(
    'Choose a new password',
    `<h1>Choose a new password</h1>
<p class="note textDescription-customizable">Your password was temporary: choose the one you will sign in with.</p>
${options.error ? `<p class="error errorMessage-customizable" role="alert">${escapeXml(options.error)}</p>` : ''}
<form method="post" action="${escapeXml(options.action)}">
${hidden}
<label class="label-customizable" for="new_password">New password</label>
<input class="inputField-customizable" type="password" id="new_password" name="new_password" autocomplete="new-password" required>
<label class="label-customizable" for="confirm_password">New password again</label>
<input class="inputField-customizable" type="password" id="confirm_password" name="confirm_password" autocomplete="new-password" required>
<button class="submitButton-customizable" type="submit">Set password and sign in</button>
</form>`,
    options.cssHref,
  );
}

/** A page that ends the flow: no redirect URI can be trusted (unknown client, unregistered redirect URI). */
export function errorPage(options: { cssHref: string; error: string; description: string }): string {
  return page(
    'Sign-in error',
    `<h1>Sign-in error</h1>
<p class="error errorMessage-customizable" role="alert">${escapeXml(options.description)}</p>
<p class="note textDescription-customizable">Error code: ${escapeXml(options.error)}. Go back to the app and try again; if it keeps happening, its developer must fix its sign-in settings.</p>`,
    options.cssHref,
  );
}
