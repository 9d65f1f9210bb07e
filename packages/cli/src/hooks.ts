import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '@forte/protocol';

/** Runtimes of hook files by extension (Amplify's defaults). */
const RUNTIMES: Record<string, string> = { js: process.execPath, sh: 'bash' };
/** The Amplify CLI version hooks are told, so Gen 1 hook scripts that check it keep working. */
const HOOK_API_VERSION = '14.3.0';

export interface HookEvent {
  /** `push`, `add`, `checkout`, ... */
  command: string;
  /** `hosting` for `forte add hosting`, `env` for `forte env checkout`. */
  subCommand?: string;
  argv: string[];
  environment: { envName: string; projectPath: string; defaultEditor?: string };
  error?: { message: string; stack?: string };
}

/** The hook names a command runs, in order: `<phase>-<command>`, then `<phase>-<command>-<sub>`. */
export function hookNames(phase: 'pre' | 'post', event: Pick<HookEvent, 'command' | 'subCommand'>): string[] {
  return [`${phase}-${event.command}`, ...(event.subCommand ? [`${phase}-${event.command}-${event.subCommand}`] : [])];
}

/** Finds the hook files of `names` in amplify/hooks; two files of one name with different extensions is an error. */
export function findHooks(hooksDir: string, names: string[]): string[] {
  if (!existsSync(hooksDir)) return [];
  const files = readdirSync(hooksDir);
  const out: string[] = [];
  for (const name of names) {
    const matches = files.filter((f) => Object.keys(RUNTIMES).some((ext) => f === `${name}.${ext}`));
    if (matches.length > 1) {
      throw new UserError(`Found more than one hook named ${name}: ${matches.join(', ')}.`, `Keep one of them in amplify/hooks.`);
    }
    if (matches[0]) out.push(join(hooksDir, matches[0]));
  }
  return out;
}

/**
 * Runs the command hooks of one phase with cwd = project root, env {PATH} only and the event as JSON on
 * stdin. A failing hook stops the command (UserError naming it).
 */
export async function runHooks(root: string, phase: 'pre' | 'post', event: HookEvent): Promise<void> {
  const hooksDir = join(root, 'amplify', 'hooks');
  for (const file of findHooks(hooksDir, hookNames(phase, event))) {
    // node:child_process only when there is a hook to run: loading it is a tenth of a short command's start.
    const { spawn } = await import('node:child_process');
    const ext = file.slice(file.lastIndexOf('.') + 1);
    const runtime = RUNTIMES[ext] ?? 'bash';
    const payload = {
      data: { amplify: { version: HOOK_API_VERSION, environment: event.environment, command: event.command, subCommand: event.subCommand, argv: event.argv } },
      ...(event.error ? { error: event.error } : {}),
    };
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(runtime, [file], { cwd: root, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['pipe', 'inherit', 'inherit'] });
      child.on('error', reject);
      child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
      child.stdin.on('error', () => undefined); // a hook that ignores stdin may close it early
      child.stdin.end(JSON.stringify(payload));
    });
    if (code !== 0) {
      throw new UserError(
        `The ${phase}-hook ${relative(root, file)} failed with exit code ${code}.`,
        `Fix the hook (or remove it from amplify/hooks), then run the command again.`,
      );
    }
  }
}
