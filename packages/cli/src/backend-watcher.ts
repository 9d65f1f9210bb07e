import { watch, type FSWatcher } from 'node:fs';
import { sep } from 'node:path';

/** Folders whose files are outputs or dependencies, never a user's edit: a change there deploys nothing. */
const IGNORED_DIRS = new Set(['node_modules', 'build', 'dist', '.temp', '#current-cloud-backend', '.git']);

/** Files the CLI itself writes into amplify/backend during a push. */
const IGNORED_FILES = new Set(['amplify-meta.json']);

/**
 * Whether a path (relative to amplify/backend, `/`-separated) is an edit worth a deploy: not inside an
 * output or dependency folder, and not an editor's temporary file (vim's `.swp` / `4913`, emacs's `#x#` and
 * `.#x`, `x~`, JetBrains' `___jb_tmp___`).
 */
export function isWatchedPath(path: string): boolean {
  const parts = path.split('/');
  const file = parts[parts.length - 1] ?? '';
  if (parts.slice(0, -1).some((p) => IGNORED_DIRS.has(p))) return false;
  if (IGNORED_DIRS.has(file)) return false;
  if (parts.length === 1 && IGNORED_FILES.has(file)) return false;
  if (file === '' || file === '4913' || file === '.DS_Store') return false;
  if (/\.(swp|swx|swo|tmp|bak)$/.test(file) || file.endsWith('~') || file.startsWith('.#')) return false;
  if (/^#.*#$/.test(file) || /___jb_(tmp|old)___$/.test(file)) return false;
  return true;
}

export interface BackendWatcher {
  close(): void;
}

/**
 * Watches `backendDir` recursively and calls `onSettled` with the edited paths (relative, `/`-separated) once
 * the files have been quiet for `debounceMs`: an editor's save (write, rename, chmod) or a burst of saves is
 * one call. Ignored paths ({@link isWatchedPath}) never start or extend a burst.
 */
export function createBackendWatcher(backendDir: string, onSettled: (paths: string[]) => void, options: { debounceMs?: number } = {}): BackendWatcher {
  const debounceMs = options.debounceMs ?? 200;
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const paths = [...pending];
    pending = new Set();
    if (paths.length > 0) onSettled(paths.sort());
  };
  const watcher: FSWatcher = watch(backendDir, { recursive: true }, (_event, name) => {
    if (name === null) return;
    const path = name.toString().split(sep).join('/');
    if (!isWatchedPath(path)) return;
    pending.add(path);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  });
  // A watch error (the folder removed, too many watches) must not end the process: the loop goes on.
  watcher.on('error', () => undefined);
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
