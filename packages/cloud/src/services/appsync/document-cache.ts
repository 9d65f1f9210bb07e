import type { DocumentNode, GraphQLSchema } from 'graphql';

/** Most documents remembered per schema; beyond it the least recently used one is dropped. */
export const MAX_CACHED_DOCUMENTS = 500;
/**
 * Most query text remembered per schema, in characters. A document's syntax tree is several times its
 * text, and a query may be 100 KB: without this bound 500 large distinct queries would hold gigabytes.
 */
export const MAX_CACHED_CHARACTERS = 2_000_000;

/**
 * Documents that parsed, passed the query limits and validated against one executable schema, by their
 * exact query text. Clients send the same few documents again and again, so graphql-js `parse` and
 * `validate` run once per text instead of once per request. Only accepted documents are remembered:
 * refused ones take the full path every time, so their answers are unchanged. Entries belong to one
 * schema object; a new deployment builds a new schema, and with it an empty cache (the old one goes
 * with the old schema). Documents are shared between requests and never modified (graphql's `execute`
 * only reads them).
 */
export function createDocumentCache(options: { maxEntries?: number; maxCharacters?: number } = {}) {
  const maxEntries = options.maxEntries ?? MAX_CACHED_DOCUMENTS;
  const maxCharacters = options.maxCharacters ?? MAX_CACHED_CHARACTERS;
  /** Per schema: documents by query text (in least recently used order) and the length of those texts. */
  const bySchema = new WeakMap<GraphQLSchema, { documents: Map<string, DocumentNode>; characters: number; newest?: string }>();
  return {
    /** The validated document of `query` for `schema`, or undefined. A hit becomes the most recently used. */
    get(schema: GraphQLSchema, query: string): DocumentNode | undefined {
      const cache = bySchema.get(schema);
      const document = cache?.documents.get(query);
      // A client repeating one document finds it already the most recently used: no reordering then.
      if (cache && document && cache.newest !== query) {
        cache.documents.delete(query);
        cache.documents.set(query, document);
        cache.newest = query;
      }
      return document;
    },
    /** Remembers a document that parsed, fits the limits and validated against `schema`. */
    set(schema: GraphQLSchema, query: string, document: DocumentNode): void {
      if (query.length > maxCharacters) return;
      let cache = bySchema.get(schema);
      if (!cache) bySchema.set(schema, (cache = { documents: new Map(), characters: 0 }));
      const { documents } = cache;
      if (documents.delete(query)) cache.characters -= query.length;
      while (documents.size >= maxEntries || cache.characters + query.length > maxCharacters) {
        const oldest = documents.keys().next();
        if (oldest.done) break;
        documents.delete(oldest.value);
        cache.characters -= oldest.value.length;
      }
      documents.set(query, document);
      cache.newest = query;
      cache.characters += query.length;
    },
    /** Documents held for `schema` (tests). */
    size: (schema: GraphQLSchema): number => bySchema.get(schema)?.documents.size ?? 0,
  };
}

export type DocumentCache = ReturnType<typeof createDocumentCache>;
