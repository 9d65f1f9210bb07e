import type { PluginContext } from './plugin.js';

/** The non-empty, trimmed items of a comma-separated answer. */
export const commaSeparated = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/**
 * Several answers in one, for the categories' walkthroughs (the Prompter has no checkbox question): a comma-separated
 * answer, each item one of `allowed`, asked again naming those that are not; `fallback` is the default. With
 * `atLeastOne`, an empty answer is asked again too.
 */
export async function pickMany(
  ctx: Pick<PluginContext, 'prompt'>,
  message: string,
  allowed: readonly string[],
  fallback: readonly string[] = [],
  options: { atLeastOne?: boolean } = {},
): Promise<string[]> {
  const answer = await ctx.prompt.input({
    message: `${message} (${allowed.join(', ')}; separate with commas)`,
    default: fallback.join(', '),
    validate: (value) => {
      const items = commaSeparated(value);
      if (options.atLeastOne && items.length === 0) return 'Choose at least one';
      const bad = items.filter((v) => !allowed.includes(v));
      return bad.length === 0 ? true : `Not one of the choices: ${bad.join(', ')}`;
    },
  });
  return commaSeparated(answer);
}
