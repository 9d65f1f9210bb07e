import { HOSTED_UI_PATH } from '@forte/protocol';
import type { Kernel } from '../../kernel/types.js';

const PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Cognito's rules for a domain prefix; answers the problem and its fix, or undefined. */
export function domainProblem(domain: string): string | undefined {
  if (!PREFIX.test(domain)) return `"${domain}" must be 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen.`;
  if (/aws|amazon|cognito/.test(domain)) return `"${domain}" may not contain aws, amazon or cognito (Cognito reserves them).`;
  return undefined;
}

/**
 * The cloud's HTTPS origin that browsers reach the hosted UI at: the public URL when it is HTTPS (a load
 * balancer terminating TLS), else the cloud's own HTTPS listener, else its HTTP URL (aws-amplify, which always
 * prepends https://, cannot use that one; plain HTTP clients and tests can).
 */
export function hostedUiOrigin(kernel: Kernel): string {
  const base = kernel.baseUrl();
  if (base.startsWith('https://')) return base;
  return kernel.httpsBaseUrl() ?? base;
}

/** A domain as aws-amplify's `oauth.domain` takes it: `<host>:<port>/hosted-ui/<prefix>`, without the scheme. */
export function domainAddress(kernel: Kernel, domain: string): string {
  return `${hostedUiOrigin(kernel).replace(/^https?:\/\//, '')}${HOSTED_UI_PATH}${domain}`;
}

/** The base URL of a domain's endpoints (`/oauth2/authorize`, `/login`...). */
export function domainBaseUrl(kernel: Kernel, domain: string): string {
  return `${hostedUiOrigin(kernel)}${HOSTED_UI_PATH}${domain}`;
}
