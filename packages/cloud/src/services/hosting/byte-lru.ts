/**
 * A least-recently-used map bounded by the total byte size of its values. A Map keeps insertion order, so
 * re-inserting on a hit makes the first key the least recently used one.
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number; hits: number }>();
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Re-inserting costs two hash operations per hit: only bump entries that are not among the newest.
    if (++entry.hits % 8 === 1) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    const bytes = this.sizeOf(value);
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes, hits: 0 });
    this.total += bytes;
    while (this.total > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
  }

  /** Drops every key. */
  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  /** Drops every key for which `test` holds (used when a site's blobs are deleted). */
  deleteWhere(test: (key: string) => boolean): void {
    for (const key of [...this.entries.keys()]) if (test(key)) this.delete(key);
  }

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }
}
