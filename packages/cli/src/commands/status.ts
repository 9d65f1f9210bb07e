import { existsSync } from 'node:fs';
import type { Command } from '../command.js';
import { settlePushMarker } from '../push-marker.js';
import { computeResourceStatus, statusTableRows } from '../resource-status.js';
import { helpfulLinks } from '../helpful-links.js';

export const statusCommand: Command = {
  name: 'status',
  aliases: ['ls'],
  summary: 'Shows what push would create, update or delete (no cloud round trip), and the endpoints.',
  usage: 'forte status [category...]',
  flags: ['verbose'],
  needsProject: true,
  async run(ctx) {
    const project = ctx.project();
    if (existsSync(project.paths.pushMarker)) await settlePushMarker(ctx, { finalize: false });
    const status = computeResourceStatus(project, { categories: ctx.input.subCommands });
    ctx.print.info(`\n    Current Environment: ${project.envName}\n    `);
    ctx.print.table(statusTableRows(status));
    if (status.tagsUpdated) ctx.print.info('\nTag Changes Detected');
    const links = helpfulLinks(project.readMeta());
    if (links.length > 0) ctx.print.info(`\n${links.join('\n')}\n`);
  },
};
