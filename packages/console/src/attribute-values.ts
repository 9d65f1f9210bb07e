/** A DynamoDB attribute value as the JSON protocol carries it (`{"S": "x"}`, `{"N": "1"}`, `{"M": {...}}`, …). */
export type AttributeValue = Record<string, unknown>;

/** A value as a person reads it in a table cell: strings and numbers bare, the rest as compact JSON. */
export function showAttribute(value: AttributeValue | undefined): string {
  if (!value) return '';
  const [type, inner] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'S':
    case 'N':
      return String(inner);
    case 'BOOL':
      return inner ? 'true' : 'false';
    case 'NULL':
      return 'null';
    case 'SS':
    case 'NS':
      return `{${(inner as string[]).join(', ')}}`;
    case 'L':
      return JSON.stringify((inner as AttributeValue[]).map(plain));
    case 'M':
      return JSON.stringify(plain(value));
    case 'B':
    case 'BS':
      return '(binary)';
    default:
      return JSON.stringify(value);
  }
}

function plain(value: AttributeValue): unknown {
  const [type, inner] = Object.entries(value)[0] ?? [];
  if (type === 'M') return Object.fromEntries(Object.entries(inner as Record<string, AttributeValue>).map(([k, v]) => [k, plain(v)]));
  if (type === 'L') return (inner as AttributeValue[]).map(plain);
  if (type === 'N') return Number(inner);
  if (type === 'NULL') return null;
  return inner;
}
