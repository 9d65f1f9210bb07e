import type { Command } from '../command.js';
import { publishFrontend } from '../publish-frontend.js';

export const publishCommand: Command = {
  name: 'publish',
  summary: 'Pushes the backend when it changed, builds the frontend and publishes it to the hosting resource.',
  usage: 'forte publish [--yes]',
  flags: ['force'],
  needsProject: true,
  run: (ctx) => publishFrontend(ctx),
};
