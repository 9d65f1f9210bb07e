import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { resourcesOf } from './cloud-state.js';

/**
 * Whether an `override.ts` (Amplify's `amplify override <category>`, a CDK-style change to the stack Amplify
 * generates) does anything: its `override` function has a body. The file `amplify override` writes, whose
 * function is empty, does not; neither does a file without code. What cannot be read as either counts as doing
 * something, so that it is reported rather than passed over.
 */
export function overrideDoesSomething(source: string): boolean {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:\\])\/\/.*$/gm, '$1');
  if (code.trim() === '') return false;
  const declared =
    /export\s+(?:async\s+)?function\s+override\s*\(/.exec(code) ?? /export\s+(?:const|let|var)\s+override\s*=\s*(?:async\s*)?(?:function\s*)?\(/.exec(code);
  // No override function: something only if there is code besides imports.
  if (!declared) return code.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('import '));
  // Past the parameter list (balanced parentheses: a parameter's type may hold some), an optional return type,
  // and an arrow, to the body's opening brace: empty when the next thing after it is its closing brace.
  let depth = 0;
  let i = declared.index + declared[0].length - 1;
  for (; i < code.length; i++) {
    if (code[i] === '(') depth += 1;
    else if (code[i] === ')' && --depth === 0) break;
  }
  const rest = code.slice(i + 1);
  const body = /^\s*(?::\s*(?:void|any|unknown|undefined|Promise<void>)\s*)?(?:=>\s*)?\{\s*(\S)/.exec(rest);
  return !body || body[1] !== '}';
}

/**
 * The `override.ts` files of the resources a push deploys (and the project's own, of its root stack) whose
 * override function does something, as paths from the project's root. Forte deploys its own stacks for these
 * resources and does not run these functions on them.
 */
export function activeOverrides(projectRoot: string, backendDir: string, backendConfig: Record<string, Record<string, unknown>>): string[] {
  const files = [join(backendDir, 'awscloudformation', 'override.ts')];
  for (const [category, resourceName, entry] of resourcesOf(backendConfig))
    if (entry['serviceType'] !== 'imported') files.push(join(backendDir, category, resourceName, 'override.ts'));
  return files.filter((file) => existsSync(file) && overrideDoesSomething(readFileSync(file, 'utf8'))).map((file) => relative(projectRoot, file));
}

/** What a push says of the override files it does not run (`activeOverrides`), undefined when there are none. */
export function overridesWarning(files: string[]): string | undefined {
  if (files.length === 0) return undefined;
  return (
    `Forte does not run Amplify overrides (\`amplify override\`): ${files.length === 1 ? 'what this file changes' : `what these ${files.length} files change`} in the generated stack is not deployed:\n` +
    files.map((file) => `  ${file}\n`).join('') +
    "Set what they change through the resource's own settings where it has one (`forte update <category>`, or its cli-inputs.json), and leave the override function empty (as `amplify override` writes it) to silence this."
  );
}
