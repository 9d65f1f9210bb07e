import type { Printer } from '@forte/protocol';
import { editorOf } from './editors.js';

/**
 * Opens `file` and waits for the editor to exit. `$VISUAL` or `$EDITOR` is a shell word list (as git runs
 * it: `code --wait`, `vim`); otherwise the project's default editor runs with its wait flag. An editor
 * that cannot start is a warning naming the file, never a failure of the command that asked.
 */
export async function openEditor(file: string, options: { defaultEditor: string | undefined; env: NodeJS.ProcessEnv; print: Printer }): Promise<void> {
  const fromEnv = options.env['VISUAL'] || options.env['EDITOR'];
  const editor = editorOf(options.defaultEditor);
  const [program, ...args] = fromEnv ? ['sh', '-c', `${fromEnv} "$@"`, fromEnv] : [...(editor?.command ?? [])];
  if (!program) {
    options.print.info(`No editor is set (defaultEditor ${options.defaultEditor ?? 'none'}, no $VISUAL or $EDITOR): edit ${file} in your editor.`);
    return;
  }
  const name = fromEnv ?? editor?.name ?? program;
  const { spawn } = await import('node:child_process'); // not loaded by the commands that do not spawn
  const outcome = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    const child = spawn(program, [...args, file], { stdio: 'inherit' });
    child.on('error', (error) => resolve({ code: null, error }));
    child.on('exit', (code) => resolve({ code }));
  });
  if (outcome.error || outcome.code !== 0) {
    const why = outcome.error ? outcome.error.message : `it exited with code ${outcome.code}`;
    options.print.warn(`Could not open ${file} with ${name} (${why}). Edit it in your editor; set $EDITOR to choose the editor Forte opens.`);
  }
}
