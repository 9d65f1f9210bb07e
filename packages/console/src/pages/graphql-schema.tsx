import { useState } from 'react';
import { typeName, type SchemaField, type SchemaSummary } from './graphql-api.js';

const KIND: Record<string, string> = { OBJECT: 'type', INPUT_OBJECT: 'input', ENUM: 'enum', SCALAR: 'scalar', INTERFACE: 'interface', UNION: 'union' };

function FieldLine({ field }: { field: SchemaField }) {
  const args = field.args && field.args.length > 0 ? `(${field.args.map((a) => `${a.name}: ${typeName(a.type)}`).join(', ')})` : '';
  return (
    <li>
      <code>
        {field.name}
        {args}: {typeName(field.type)}
      </code>
    </li>
  );
}

/** The schema's types and their fields, each type folded until opened; a filter narrows them by type or field name. */
export function SchemaBrowser({ schema }: { schema: SchemaSummary }) {
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const shown = schema.types.filter(
    (t) =>
      !needle ||
      t.name.toLowerCase().includes(needle) ||
      (t.fields ?? t.inputFields ?? []).some((f) => f.name.toLowerCase().includes(needle)) ||
      (t.enumValues ?? []).some((v) => v.name.toLowerCase().includes(needle)),
  );
  return (
    <div className="stack">
      <label>
        Find a type or field
        <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </label>
      <p className="muted" role="status">
        {shown.length} of {schema.types.length} types
      </p>
      <ul className="schema-types">
        {shown.map((t) => (
          <li key={t.name}>
            <details open={needle !== '' || undefined}>
              <summary>
                <span className="muted">{KIND[t.kind] ?? t.kind.toLowerCase()}</span> <strong>{t.name}</strong>
              </summary>
              {t.description ? <p className="muted">{t.description}</p> : null}
              {t.fields || t.inputFields ? (
                <ul className="schema-fields">
                  {(t.fields ?? t.inputFields ?? []).map((f) => (
                    <FieldLine key={f.name} field={f} />
                  ))}
                </ul>
              ) : null}
              {t.enumValues ? <p className="breaks">{t.enumValues.map((v) => v.name).join(' · ')}</p> : null}
            </details>
          </li>
        ))}
      </ul>
    </div>
  );
}
