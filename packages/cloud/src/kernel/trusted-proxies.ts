import { BlockList, isIP } from 'node:net';

/** The proxies whose X-Forwarded-For the cloud believes (`trustedProxies`): addresses and CIDR blocks. */
export interface TrustedProxies {
  /** The entries as configured. */
  readonly entries: readonly string[];
  /** Whether an address (already without `::ffff:`, see `normaliseAddress`) is one of them. */
  has(address: string): boolean;
}

const EXAMPLE = 'an IP address or a CIDR block, like 10.0.0.5, 10.0.0.0/8 or fd00::/8';

/**
 * Why an entry of `trustedProxies` (or an `IpAddress` condition's value) is not an address or a CIDR block (a
 * message fit to print), else undefined.
 */
export function trustedProxyProblem(entry: string): string | undefined {
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (version === 0 || address.includes('%')) return `"${entry}" is not ${EXAMPLE}`;
  if (slash < 0) return undefined;
  const prefix = entry.slice(slash + 1);
  const max = version === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `"${entry}" has a prefix length other than 0 to ${max}: write ${EXAMPLE}`;
  return undefined;
}

/**
 * Parses a list of trusted proxies (`net.BlockList` matches them, IPv4 and IPv6 alike). Throws an Error naming
 * the first entry that is not an address or a CIDR block.
 */
export function createTrustedProxies(entries: readonly string[]): TrustedProxies {
  const trimmed = entries.map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of trimmed) {
    const problem = trustedProxyProblem(entry);
    if (problem) throw new Error(`Trusted proxy ${problem}.`);
  }
  return createAddressList(trimmed);
}

/** Addresses and CIDR blocks (each already checked with `trustedProxyProblem`), matched with `net.BlockList`. */
export function createAddressList(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  const trimmed = [...entries];
  for (const entry of trimmed) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const ip = normaliseAddress(address);
    const family = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
    // An IPv4-mapped entry (::ffff:10.0.0.5) is the IPv4 address it maps, its prefix counted from bit 96.
    const mapped = family === 'ipv4' && isIP(address) === 6;
    const bits = prefix === undefined ? undefined : mapped ? Math.max(0, Number(prefix) - 96) : Number(prefix);
    if (bits === undefined) list.addAddress(ip, family);
    else list.addSubnet(ip, bits, family);
  }
  if (trimmed.length === 0) return { entries: trimmed, has: () => false };
  return { entries: trimmed, has: (address) => isIP(address) !== 0 && list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6') };
}

/** An address as the cloud keys it: an IPv4-mapped IPv6 address (`::ffff:10.0.0.5`, a dual-stack socket's) as IPv4, lower case. */
export function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4) return lower.slice(7);
  return lower;
}
