import { UserError } from '@forte/protocol';
import type { CliContext } from './cli-context.js';
import { resourcesOf } from './cloud-state.js';

/** Where Forte's plan brings a category or service it lacks today (`<category>` or `<category>/<service>`). */
const PLANNED: Record<string, string> = {
  function: 'Forte issue 12 (functions)',
  'function/Lambda': 'Forte issue 12 (functions)',
  'function/LambdaLayer': 'Forte issue 12 (Lambda layers)',
  'storage/DynamoDB': 'Forte issue 13 (NoSQL tables)',
};

/** One resource a push cannot deploy, and why. */
export interface UnsupportedResource {
  category: string;
  resourceName: string;
  service: string | undefined;
  reason: string;
  /** The Forte issue that brings it, when one does. */
  plannedIn: string | undefined;
}

/**
 * The resources of `backendConfig` that no installed plugin deploys: a category without a category plugin,
 * or a service that none of the category's plugins lists in its manifest `services` (a plugin that lists
 * none takes every service of its category). Imported resources are skipped: a push does not deploy them.
 */
export function unsupportedResources(ctx: CliContext, backendConfig: Record<string, Record<string, unknown>>): UnsupportedResource[] {
  const out: UnsupportedResource[] = [];
  for (const [category, resourceName, entry] of resourcesOf(backendConfig)) {
    if (entry['serviceType'] === 'imported') continue;
    const service = typeof entry['service'] === 'string' ? entry['service'] : undefined;
    const plugins = ctx.registry.find(category).filter((p) => p.manifest.type === 'category');
    const plannedIn = (service !== undefined ? PLANNED[`${category}/${service}`] : undefined) ?? PLANNED[category];
    if (plugins.length === 0) {
      out.push({ category, resourceName, service, reason: `no plugin for the ${category} category is installed`, plannedIn });
      continue;
    }
    const handled = service === undefined || plugins.some((p) => p.manifest.services === undefined || p.manifest.services.includes(service));
    if (!handled) {
      const offered = [...new Set(plugins.flatMap((p) => p.manifest.services ?? []))].join(', ');
      out.push({ category, resourceName, service, reason: `the ${category} plugin deploys ${offered}, not ${service}`, plannedIn });
    }
  }
  return out;
}

/**
 * Refuses a push that holds resources Forte cannot deploy, before anything is built, uploaded or applied:
 * every one is named at once, with its service, the file that declares it and the issue that brings it.
 */
export function assertPushSupported(ctx: CliContext, backendConfig: Record<string, Record<string, unknown>>): void {
  const unsupported = unsupportedResources(ctx, backendConfig);
  if (unsupported.length === 0) return;
  const lines = unsupported.map((u) => {
    const what = `${u.category} ${u.resourceName}${u.service ? ` (service ${u.service})` : ''}`;
    const where = `declared in amplify/backend/backend-config.json at "${u.category}"."${u.resourceName}"`;
    const when = u.plannedIn ? `not supported yet: ${u.plannedIn}` : 'not supported yet';
    return `  ${what}, ${where}: ${u.reason}; ${when}.`;
  });
  throw new UserError(
    `Forte cannot deploy ${unsupported.length === 1 ? 'this resource' : `these ${unsupported.length} resources`}, so nothing was pushed:\n${lines.join('\n')}`,
    'Push the other categories with `forte push <category>` (e.g. `forte push auth`, `forte push api`), or remove these resources from amplify/backend/backend-config.json. A category plugin that deploys them is found after `npm install` and `forte plugin scan`.',
  );
}
