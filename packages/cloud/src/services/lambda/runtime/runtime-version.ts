import { createHash } from 'node:crypto';

/**
 * The runtime version Lambda names in a new execution environment's `INIT_START` line:
 * `nodejs:<major>.v<n>` and `arn:aws:lambda:<region>::runtime:<64 hex>`. Here the runtime is the Node.js release
 * the function runs under: `n` counts up with it (22.11.3 is v1103) and the ARN's hash changes with it, so a
 * change of release shows in the logs as a change of runtime version does on Lambda.
 */
export function runtimeVersionOf(nodeVersion: string, region: string): { name: string; arn: string } {
  const [major = '0', minor = '0', patch = '0'] = nodeVersion.split('.');
  const name = `nodejs:${major}.v${Number(minor) * 100 + Number(patch)}`;
  const hash = createHash('sha256').update(`forte:nodejs:${nodeVersion}`).digest('hex');
  return { name, arn: `arn:aws:lambda:${region}::runtime:${hash}` };
}

/** The line Lambda writes to the log stream of each new execution environment, before its first START. */
export function initStartLine(version: { name: string; arn: string }): string {
  return `INIT_START Runtime Version: ${version.name}\tRuntime Version ARN: ${version.arn}`;
}
