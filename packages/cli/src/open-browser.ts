/**
 * Opens `url` in the user's browser when there is one: `open` on macOS, `start` on Windows, `xdg-open`
 * elsewhere when a display is set. Answers whether a browser opener was started; never throws (a machine
 * without a browser, a server over ssh, only loses the convenience: the URL is printed anyway).
 */
export async function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const [program, ...args] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '""', url]
        : env['DISPLAY'] || env['WAYLAND_DISPLAY']
          ? ['xdg-open', url]
          : [];
  if (!program) return false;
  const { spawn } = await import('node:child_process'); // not loaded by the commands that do not spawn
  return new Promise<boolean>((resolve) => {
    const child = spawn(program, args, { stdio: 'ignore', detached: true, env });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
