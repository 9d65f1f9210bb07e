/** A malformed command line (unknown command or flag): the CLI names it, suggests `forte help` and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
