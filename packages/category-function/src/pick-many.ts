import type { PluginContext } from '@forte/protocol';

/** Several answers in one (the Prompter has no checkbox): comma-separated, each one of `allowed`. */
export async function pickMany(ctx: PluginContext, message: string, allowed: readonly string[], fallback: string[] = []): Promise<string[]> {
  const answer = await ctx.prompt.input({
    message: `${message} (${allowed.join(', ')}; separate with commas)`,
    default: fallback.join(', '),
    validate: (value) => {
      const bad = split(value).filter((v) => !allowed.includes(v));
      return bad.length === 0 ? true : `Not one of the choices: ${bad.join(', ')}`;
    },
  });
  return split(answer);
}

/** The non-empty, trimmed items of a comma-separated answer. */
export const split = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
