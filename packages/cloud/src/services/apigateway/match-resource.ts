import type { ApiDefinition, ApiResource, PathPart } from './api-definition.js';

export interface ResourceMatch {
  resource: ApiResource;
  /** Values of the path's variables, percent-decoded; the greedy one joins the rest of the path. */
  pathParameters: Record<string, string>;
}

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** How specific a part is where two resources could both match: a literal beats a variable beats a greedy part. */
const RANK: Record<PathPart['kind'], number> = { literal: 0, variable: 1, greedy: 2 };

function matchParts(parts: readonly PathPart[], segments: readonly string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.kind === 'greedy') {
      if (i >= segments.length) return undefined;
      parameters[part.name] = segments.slice(i).map(decode).join('/');
      return parameters;
    }
    const segment = segments[i];
    if (segment === undefined || segment === '') return undefined;
    if (part.kind === 'literal') {
      if (decode(segment) !== part.value) return undefined;
    } else parameters[part.name] = decode(segment);
  }
  return parts.length === segments.length ? parameters : undefined;
}

/** Compares two resources part by part: the more specific part first decides, as API Gateway picks a resource. */
function compareSpecificity(a: ApiResource, b: ApiResource): number {
  for (let i = 0; i < Math.min(a.parts.length, b.parts.length); i++) {
    const d = RANK[a.parts[i]!.kind] - RANK[b.parts[i]!.kind];
    if (d !== 0) return d;
  }
  return b.parts.length - a.parts.length;
}

/**
 * The resource a request path (after the stage, still percent-encoded) reaches: `/items` reaches `/items`,
 * `/items/a/b` reaches `/items/{proxy+}` (`proxy` = `a/b`); literal parts win over variables, variables over
 * greedy parts. A trailing `/` is ignored. Undefined when no resource matches.
 */
export function matchResource(definition: ApiDefinition, path: string): ResourceMatch | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const segments = trimmed === '/' || trimmed === '' ? [] : trimmed.slice(1).split('/');
  let best: ResourceMatch | undefined;
  for (const resource of definition.resources) {
    const pathParameters = matchParts(resource.parts, segments);
    if (pathParameters && (!best || compareSpecificity(resource, best.resource) < 0)) best = { resource, pathParameters };
  }
  return best;
}
