/**
 * Runs `check` until it no longer throws, every 10 ms for at most `timeoutMs` (then throws its last error): for
 * what a server hears a moment after the client (a socket's open, answer or close), instead of a fixed wait.
 */
export async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  for (const end = Date.now() + timeoutMs; ; await new Promise((resolve) => setTimeout(resolve, 10))) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > end) throw error;
    }
  }
}
