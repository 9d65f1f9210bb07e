import { validationError } from '../errors.js';
import type { Path, PathElement } from './ast.js';

interface Node {
  /** A path ends here. */
  end?: Path;
  names?: Map<string, Node>;
  indexes?: Map<number, Node>;
  /** Some path went through here: its elements so far, for the message. */
  through?: Path;
}

const show = (path: Path): string => `[${path.map((e) => ('name' in e ? e.name : `[${e.index}]`)).join(', ')}]`;

/**
 * Refuses document paths of one expression that overlap (one is, or starts with, another: `a, a.b`) or
 * conflict (one takes a map key where another takes a list index: `a.b, a[1]`), with DynamoDB's messages.
 * A trie of the paths, so the check is linear in the expression's size.
 */
export function checkPathOverlaps(paths: Path[], expression: string): void {
  const root: Node = {};
  for (const path of paths) {
    let node = root;
    for (let i = 0; i < path.length; i++) {
      if (node.end) overlap(expression, node.end, path);
      const element: PathElement = path[i]!;
      node.through ??= path;
      let next: Node | undefined;
      if ('name' in element) {
        if (node.indexes) conflict(expression, node.through, path);
        node.names ??= new Map();
        next = node.names.get(element.name);
        if (!next) node.names.set(element.name, (next = {}));
      } else {
        if (node.names) conflict(expression, node.through, path);
        node.indexes ??= new Map();
        next = node.indexes.get(element.index);
        if (!next) node.indexes.set(element.index, (next = {}));
      }
      node = next;
    }
    if (node.end || node.names || node.indexes) overlap(expression, node.end ?? node.through ?? path, path);
    node.end = path;
  }
}

function overlap(expression: string, one: Path, two: Path): never {
  throw validationError(
    `Invalid ${expression}: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${show(one)}, path two: ${show(two)}`,
  );
}

function conflict(expression: string, one: Path, two: Path): never {
  throw validationError(
    `Invalid ${expression}: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ${show(one)}, path two: ${show(two)}`,
  );
}
