import { spawn } from 'node:child_process';
import { UserError, type PluginContext } from '@forte/protocol';
import { javascriptConfigOf } from './frontend-config.js';

/** Runs the project's BuildCommand or StartCommand in the project root, with the terminal attached. */
export async function runProjectCommand(ctx: PluginContext, which: 'BuildCommand' | 'StartCommand'): Promise<void> {
  const project = ctx.project();
  const command = javascriptConfigOf(project)[which];
  ctx.print.info(`Running ${command}`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(command, { cwd: project.root, stdio: 'inherit', shell: true });
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve(signal ? 128 : exitCode));
  }).catch((error: unknown) => {
    throw new UserError(
      `Could not run \`${command}\`: ${error instanceof Error ? error.message : String(error)}`,
      `Check ${which} in amplify/.config/project-config.json.`,
      { cause: error },
    );
  });
  if (code !== 0) {
    throw new UserError(
      `\`${command}\` failed (exit code ${code ?? 'unknown'}).`,
      `Fix the error above, or change ${which} in amplify/.config/project-config.json.`,
    );
  }
}
