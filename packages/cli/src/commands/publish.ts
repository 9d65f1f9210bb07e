import type { Command } from '../command.js';
import { yesOption } from '../command-options.js';
import { publishFrontend } from '../publish-frontend.js';

export const publishCommand: Command = {
  name: 'publish',
  summary: 'Pushes the backend when it changed, builds the frontend and publishes it to the hosting resource.',
  usage: 'forte publish [--yes]',
  options: [
    { name: 'force', short: 'f', description: 'push every resource first, even when nothing changed' },
    yesOption('push without asking to confirm the changes'),
  ],
  needsProject: true,
  run: (ctx) => publishFrontend(ctx),
};
