import type { ForteError } from '@forte/protocol';
import { SSM_ERRORS } from './ssm-errors.js';

/** The deepest hierarchy AWS allows: `/a/b/.../o` has 15 levels. */
export const MAX_HIERARCHY_LEVELS = 15;
/** AWS counts a name's length with its whole ARN (`arn:aws:ssm:<region>:<account>:parameter/<name>`). */
export const MAX_NAME_WITH_ARN = 1011;

const SEGMENT = /^[A-Za-z0-9_.-]+$/;
const RESERVED_PREFIX = /^(aws|ssm)/i;

const invalid = (message: string): ForteError => SSM_ERRORS.error('ValidationException', message);

/** The ARN of a parameter: the name without its leading slash after `parameter/`. */
export function parameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter/${name.startsWith('/') ? name.slice(1) : name}`;
}

/**
 * The reason `name` is not a parameter name AWS accepts, or undefined: letters, digits and `_.-` in
 * segments separated by `/`, fully qualified (leading `/`) when it has a hierarchy, no empty segment.
 */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Parameter name: must not be empty.';
  const hierarchical = name.includes('/');
  if (hierarchical && !name.startsWith('/'))
    return `Parameter name ${JSON.stringify(name)} has a hierarchy (/) and must then be fully qualified: start it with /.`;
  const segments = hierarchical ? name.slice(1).split('/') : [name];
  if (segments.some((s) => s.length === 0)) return `Parameter name ${JSON.stringify(name)} has an empty level (// or a trailing /).`;
  const bad = segments.find((s) => !SEGMENT.test(s));
  if (bad !== undefined)
    return 'Parameter name: can contain only letters, digits and the symbols _.- in levels separated by / (no spaces or other characters).';
  return undefined;
}

/** The number of levels of a name or path (`/a/b` has 2, `a` has 1). */
export function levelsOf(name: string): number {
  return name === '/' ? 0 : (name.startsWith('/') ? name.slice(1) : name).split('/').length;
}

/** Throws ValidationException or HierarchyLevelLimitExceededException unless a new parameter may be named `name`. */
export function checkNewName(name: string, arnPrefixLength: number): void {
  const problem = nameProblem(name);
  if (problem) throw invalid(problem);
  const first = (name.startsWith('/') ? name.slice(1) : name).split('/')[0] ?? '';
  if (RESERVED_PREFIX.test(first)) throw invalid('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).');
  if (arnPrefixLength + name.length > MAX_NAME_WITH_ARN)
    throw invalid(`Parameter name: too long; with its ARN a name may have at most ${MAX_NAME_WITH_ARN} characters.`);
  if (levelsOf(name) > MAX_HIERARCHY_LEVELS)
    throw SSM_ERRORS.error('HierarchyLevelLimitExceededException', `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`);
}

/**
 * The path of GetParametersByPath without a trailing slash (`/` stays `/`): fully qualified, at most
 * 15 levels, each level a valid name segment.
 */
export function normalizePath(path: string): string {
  if (!path.startsWith('/')) throw invalid(`Path ${JSON.stringify(path)}: a path must be fully qualified: start it with /.`);
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed !== '/') {
    const problem = nameProblem(trimmed);
    if (problem) throw invalid(problem.replace('Parameter name', 'Path'));
  }
  if (levelsOf(trimmed) > MAX_HIERARCHY_LEVELS)
    throw SSM_ERRORS.error('HierarchyLevelLimitExceededException', `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`);
  return trimmed;
}
