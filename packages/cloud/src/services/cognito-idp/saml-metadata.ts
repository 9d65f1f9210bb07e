import { DOMParser } from '@xmldom/xmldom';
import { fetchOutbound, OutboundFetchError } from '../../kernel/outbound-fetch.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
/** Largest metadata document read, from a file or a URL. */
export const MAX_METADATA_BYTES = 512 * 1024;
const METADATA_TIMEOUT_MS = 10_000;

/** What the cloud needs of a SAML identity provider's metadata. */
export interface SamlIdpMetadata {
  entityId: string;
  /** Its SingleSignOnService with the HTTP-Redirect binding, where the AuthnRequest goes. */
  ssoRedirectUrl: string;
  /** Its signing certificates (base64 DER), any of which may sign a response. */
  certificates: string[];
}

/** The metadata could not be read or used; the message names what is wrong. */
export class SamlMetadataProblem extends Error {}

/** Reads an IdP's EntityDescriptor: entity id, HTTP-Redirect single sign-on URL and signing certificates. */
export function parseSamlMetadata(xml: string): SamlIdpMetadata {
  if (xml.length > MAX_METADATA_BYTES) throw new SamlMetadataProblem(`the metadata is larger than ${MAX_METADATA_BYTES} bytes`);
  // A document type (and so entity expansion) is refused before parsing.
  if (/<!DOCTYPE/i.test(xml)) throw new SamlMetadataProblem('the metadata has a DOCTYPE, which is not allowed');
  const problems: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m: string) => problems.push(m), fatalError: (m: string) => problems.push(m) } }).parseFromString(
    xml,
    'text/xml',
  );
  if (problems.length > 0 || !doc?.documentElement) throw new SamlMetadataProblem('the metadata is not well-formed XML');
  const root = doc.documentElement;
  const descriptor =
    root.namespaceURI === MD && root.localName === 'EntityDescriptor' ? root : (root.getElementsByTagNameNS(MD, 'EntityDescriptor')[0] ?? undefined);
  const entityId = descriptor?.getAttribute('entityID') ?? '';
  if (!descriptor || !entityId) throw new SamlMetadataProblem('the metadata has no EntityDescriptor with an entityID');
  const idp = descriptor.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  if (!idp) throw new SamlMetadataProblem('the metadata describes no identity provider (IDPSSODescriptor)');
  const services = Array.from(idp.getElementsByTagNameNS(MD, 'SingleSignOnService'));
  const redirect = services.find((s) => s.getAttribute('Binding') === REDIRECT_BINDING)?.getAttribute('Location') ?? '';
  if (!redirect)
    throw new SamlMetadataProblem('the identity provider has no SingleSignOnService with the HTTP-Redirect binding, the one Forte sends requests with');
  let url: URL;
  try {
    url = new URL(redirect);
  } catch {
    throw new SamlMetadataProblem(`its single sign-on location ${redirect} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SamlMetadataProblem(`its single sign-on location ${redirect} is not an http(s) URL`);
  const certificates: string[] = [];
  for (const key of Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))) {
    const use = key.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const cert of Array.from(key.getElementsByTagNameNS(DS, 'X509Certificate'))) {
      const text = (cert.textContent ?? '').replace(/\s+/g, '');
      if (text) certificates.push(text);
    }
  }
  if (certificates.length === 0)
    throw new SamlMetadataProblem('the identity provider publishes no signing certificate (KeyDescriptor with an X509Certificate)');
  return { entityId, ssoRedirectUrl: url.toString(), certificates };
}

const successful = (status: number): boolean => status >= 200 && status <= 299;

/** The provider's metadata: its MetadataFile, or its MetadataURL read now (bounded in time and size). */
export async function samlMetadataOf(details: Record<string, string>): Promise<SamlIdpMetadata> {
  if (details.MetadataFile) return parseSamlMetadata(details.MetadataFile);
  const source = details.MetadataURL ?? '';
  let answer: { status: number; text: string };
  try {
    answer = await fetchOutbound(source, { timeoutMs: METADATA_TIMEOUT_MS, maxBytes: MAX_METADATA_BYTES, redirect: 'error' });
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error;
    // A refusal (an error status) is reported as such, whatever the size of its body.
    if (error.reason === 'too-large' && !successful(error.status ?? 0)) throw new SamlMetadataProblem(`its MetadataURL answered ${error.status}`);
    if (error.reason === 'too-large') throw new SamlMetadataProblem(`its MetadataURL answered more than ${MAX_METADATA_BYTES} bytes`);
    throw new SamlMetadataProblem(`its MetadataURL did not answer (${error.cause instanceof Error ? error.cause.name : error.reason})`);
  }
  if (!successful(answer.status)) throw new SamlMetadataProblem(`its MetadataURL answered ${answer.status}`);
  return parseSamlMetadata(answer.text);
}
