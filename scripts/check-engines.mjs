#!/usr/bin/env node
// Every package `npm ci` installs must run on every Node.js the project's `engines` admits, or `npm ci` warns
// (EBADENGINE) and the package may fail on the oldest Node a user is told is enough. Reads package-lock.json
// (or --lock FILE) and checks each locked package's `engines.node` against the lowest release of each Node
// major from the root's range up to NEWEST_MAJOR. Exits 1 naming each package that disagrees and its range.
import semver from 'semver';
import { readFileSync } from 'node:fs';

/** The newest Node major checked; raise it when a newer major is supported. */
export const NEWEST_MAJOR = 26;

/** The versions checked: the lowest release of each major that `range` admits. */
export function versionsAdmitted(range) {
  const versions = [];
  for (let major = 16; major <= NEWEST_MAJOR; major++) {
    // Each of the range's alternatives on its own: semver's minVersion gives up on a union whose first part is empty.
    const lowest = new semver.Range(range).set
      .map((set) => semver.minVersion(`${set.map(String).join(' ')} >=${major}.0.0 <${major + 1}.0.0-0`))
      .filter((v) => v && semver.satisfies(v, range))
      .sort(semver.compare)[0];
    if (lowest) versions.push(lowest.version);
  }
  return versions;
}

/** The locked packages whose engines.node refuses one of the versions the root admits: "name range (refuses v)". */
export function engineDisagreements(lock) {
  const root = lock.packages?.['']?.engines?.node;
  if (!root) return ['the root package.json has no engines.node'];
  const versions = versionsAdmitted(root);
  const found = [];
  for (const [path, meta] of Object.entries(lock.packages ?? {})) {
    const range = meta.engines?.node;
    if (!path || typeof range !== 'string') continue;
    const refused = versions.filter((v) => !semver.satisfies(v, range));
    if (refused.length) found.push(`${path.replace(/^.*node_modules\//, '')}@${meta.version} requires node ${range} (refuses ${refused.join(', ')})`);
  }
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--lock');
  const lockPath = at > 0 ? process.argv[at + 1] : new URL('../package-lock.json', import.meta.url).pathname;
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  const found = engineDisagreements(lock);
  if (found.length) {
    console.error(`check-engines: packages that do not run on every Node.js the root's engines (${lock.packages?.['']?.engines?.node}) admits:`);
    for (const line of found) console.error(`  ${line}`);
    console.error('Pin a version that supports them, or raise engines.node in package.json.');
    process.exit(1);
  }
  console.log(`check-engines: ${Object.keys(lock.packages ?? {}).length - 1} locked packages agree with engines.node`);
}
