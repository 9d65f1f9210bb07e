/** `<appSlug>-<envName>`: the env part is 2 to 10 lowercase letters, as environment names are. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?-[a-z]{2,10}$/;
const HOST_SUFFIX = '.localhost';

export function isSiteLabel(label: string): boolean {
  return label.length <= 63 && LABEL.test(label);
}

/** The site label of a `Host` header `<label>.localhost[:port]`, or undefined for any other host. */
export function siteLabelOfHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const colon = host.lastIndexOf(':');
  const name = (colon > host.lastIndexOf(']') && colon >= 0 ? host.slice(0, colon) : host).toLowerCase();
  if (!name.endsWith(HOST_SUFFIX)) return undefined;
  const label = name.slice(0, -HOST_SUFFIX.length);
  return isSiteLabel(label) ? label : undefined;
}

/** The public address of a site, as reported in its resource attributes and by GetSite: its own host name. */
export function siteAddresses(label: string, port: number): { url: string; hostName: string } {
  const hostName = `${label}${HOST_SUFFIX}`;
  return { url: `http://${hostName}:${port}/`, hostName };
}
