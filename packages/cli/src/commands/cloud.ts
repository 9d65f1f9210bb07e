import { UserError } from '@forte/protocol';
import type { Command } from '../command.js';
import { otherBuildOf, runLocalCloudInForeground, runningLocalCloud, startLocalCloud, stopLocalCloud } from '../local-cloud.js';
import { UsageError } from '../usage-error.js';

export const cloudCommand: Command = {
  name: 'cloud',
  summary: 'The local Forte Cloud: start [--port N] [--data-dir DIR] [--detach] | stop | status (other commands start it when needed).',
  usage: 'forte cloud <start|stop|status> [--port N] [--data-dir DIR] [--detach]',
  options: [
    { name: 'port', value: 'N', description: 'start: the port to listen on (default 20002; 0 picks a free one)' },
    { name: 'data-dir', value: 'DIR', description: 'start: the folder of its data (default $FORTE_HOME/cloud)' },
    { name: 'detach', description: 'start: run it in the background and return' },
  ],
  needsProject: false,
  async run(ctx) {
    const [sub] = ctx.input.subCommands;
    switch (sub) {
      case 'start': {
        const running = await runningLocalCloud(ctx.home);
        const other = running && otherBuildOf(running);
        if (running && !other) {
          ctx.print.info(`The local Forte Cloud is already running at ${running.url} (pid ${running.pid}).`);
          return;
        }
        if (running && other) {
          ctx.print.info(`Stopping the local Forte Cloud at ${running.url} (${other}).`);
          await stopLocalCloud(ctx.home, running.pid);
        }
        const portOption = ctx.input.options['port'];
        const port = typeof portOption === 'string' ? Number(portOption) : undefined;
        if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
          throw new UserError(`--port ${String(portOption)} is not a port number.`, 'Pass a number from 0 to 65535.');
        const dataDir = typeof ctx.input.options['data-dir'] === 'string' ? ctx.input.options['data-dir'] : undefined;
        const where = { ...(port !== undefined ? { port } : {}), ...(dataDir ? { dataDir } : {}) };
        if (ctx.input.options['detach'] === true) {
          await startLocalCloud(ctx.home, { print: ctx.print, ...where });
          return;
        }
        const code = await runLocalCloudInForeground(ctx.home, where);
        if (code !== 0) throw new UserError(`The local Forte Cloud exited with code ${code}.`, 'See its output above.');
        return;
      }
      case 'stop':
        ctx.print.info((await stopLocalCloud(ctx.home)) ? 'Stopped the local Forte Cloud.' : 'The local Forte Cloud is not running.');
        return;
      case 'status': {
        const running = await runningLocalCloud(ctx.home);
        const other = running && otherBuildOf(running);
        const another = other ? ` It is another build than this forte's (${other}): the next command that needs it restarts it.` : '';
        ctx.print.info(
          running ? `The local Forte Cloud is running at ${running.url} (pid ${running.pid}).${another}` : 'The local Forte Cloud is not running.',
        );
        if (running?.httpsUrl) ctx.print.info(`HTTPS (the hosted UI's sign-in pages) at ${running.httpsUrl}.`);
        const engines = running?.engines && Object.entries(running.engines);
        if (engines && engines.length > 0) ctx.print.info(`Engines: ${engines.map(([role, engine]) => `${role} ${engine}`).join(', ')}.`);
        return;
      }
      default:
        throw new UsageError(sub ? `Unknown cloud subcommand: ${sub} (one of start, stop, status).` : 'forte cloud needs a subcommand: start, stop or status.');
    }
  },
};
