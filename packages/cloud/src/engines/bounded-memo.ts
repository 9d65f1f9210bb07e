/**
 * A memo of at most `limit` entries, for what a store makes per SQL text (prepared statements, translated SQL):
 * the texts are finite in the code, but some carry names that come and go (tables of APIs pushed and deleted) or
 * lists of placeholders as long as a request's, so over a long-lived cloud they are not. When full, the entry
 * made first goes; one still in use by a caller stays valid (the caller holds it) and is made again when asked.
 */
export interface BoundedMemo<V> {
  get(key: string): V;
  readonly size: number;
}

export function boundedMemo<V>(limit: number, make: (key: string) => V): BoundedMemo<V> {
  if (!(limit >= 1)) throw new RangeError(`boundedMemo: limit must be at least 1, got ${limit}`);
  const entries = new Map<string, V>();
  return {
    get(key) {
      const known = entries.get(key);
      if (known !== undefined) return known;
      const value = make(key);
      if (entries.size >= limit) entries.delete(entries.keys().next().value as string);
      entries.set(key, value);
      return value;
    },
    get size() {
      return entries.size;
    },
  };
}
