import type { StackEvent } from '@forte/protocol';
import { truncateMiddle } from './box-table.js';

/** The shortest a logical id is cut to, however narrow the terminal. */
const MIN_ID = 12;

/**
 * One line of a push's live events: time, status, resource type, logical id and reason. With `columns`
 * (a terminal's width) a line that would wrap is fitted: the logical id loses its middle to `…`, and a
 * reason that does not fit beside it goes on its own indented line, whole (it is the reason a push
 * failed, so it is never cut).
 */
export function stackEventLine(event: StackEvent, columns?: number): string {
  const head = `${event.timestamp.slice(11, 19)} ${event.status.padEnd(24)} ${event.resourceType.padEnd(22)} `;
  if (columns === undefined) return `${head}${event.logicalId}${event.reason ? `  ${event.reason}` : ''}`;
  const line = head + truncateMiddle(event.logicalId, Math.max(MIN_ID, columns - head.length));
  if (!event.reason) return line;
  return line.length + 2 + event.reason.length <= columns ? `${line}  ${event.reason}` : `${line}\n${' '.repeat(9)}${event.reason}`;
}
