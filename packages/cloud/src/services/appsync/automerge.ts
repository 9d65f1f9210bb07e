type Plain = Record<string, unknown>;

const isMap = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * AppSync's AUTOMERGE of a stale write onto the server's item: for each incoming field, a value the server
 * does not have (absent or null) is taken; lists are concatenated, the incoming values after the server's,
 * duplicates kept (Amplify writes lists as DynamoDB L, never as sets); maps are merged key by key with these
 * same rules; any other value keeps the server's. Pure: neither argument is changed.
 */
export function automerge(server: Plain, incoming: Plain): Plain {
  const merged: Plain = { ...server };
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    const current = server[name];
    if (current === undefined || current === null) merged[name] = value;
    else if (Array.isArray(current) && Array.isArray(value)) merged[name] = [...current, ...(value as unknown[])];
    else if (isMap(current) && isMap(value)) merged[name] = automerge(current, value);
  }
  return merged;
}
