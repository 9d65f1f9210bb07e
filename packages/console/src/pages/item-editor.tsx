import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api.js';
import { ErrorNote } from '../parts.js';
import { dynamodb, FIELD_TYPES, keyNamesOf, textOf, typeOf, valueOfText, type FieldType, type Item, type TableDescription } from './data-values.js';

interface Field {
  id: number;
  name: string;
  type: FieldType;
  text: string;
  key: boolean;
}

let nextFieldId = 1;

function fieldsOf(table: TableDescription, item: Item | undefined): Field[] {
  const keyNames = keyNamesOf(table.KeySchema);
  const keyType = (name: string): FieldType => table.AttributeDefinitions.find((d) => d.AttributeName === name)?.AttributeType ?? 'S';
  const keys = keyNames.map((name) => ({ id: nextFieldId++, name, type: keyType(name), text: item?.[name] ? textOf(item[name]) : '', key: true }));
  const rest = Object.entries(item ?? {})
    .filter(([name]) => !keyNames.includes(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ id: nextFieldId++, name, type: typeOf(value), text: textOf(value), key: false }));
  return [...keys, ...rest];
}

/** The item the fields describe, or every problem found (a name missing or twice, a value its type refuses). */
export function itemOfFields(fields: Field[]): { item: Item; problems: string[] } {
  const item: Item = {};
  const problems: string[] = [];
  fields.forEach((field, i) => {
    const name = field.name.trim();
    if (!name) return problems.push(`Attribute ${i + 1} has no name.`);
    if (name in item) return problems.push(`${name} is named twice.`);
    if (field.key && field.text === '') return problems.push(`${name} is part of the key: it needs a value.`);
    try {
      item[name] = valueOfText(field.type, field.text, name);
    } catch (error) {
      problems.push((error as Error).message);
    }
    return undefined;
  });
  return { item, problems };
}

/**
 * Creates an item (PutItem on condition that no item has its key) or replaces one (PutItem on condition that it
 * still exists, so an item deleted meanwhile is not brought back). Typed fields for strings, numbers and booleans;
 * lists, maps and sets as JSON, checked before anything is sent.
 */
export function ItemEditor({ table, item, onDone }: { table: TableDescription; item: Item | undefined; onDone: (saved: boolean) => void }) {
  const [fields, setFields] = useState<Field[]>(() => fieldsOf(table, item));
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const editing = item !== undefined;
  const title = editing ? 'Edit item' : 'New item';
  const hashName = keyNamesOf(table.KeySchema)[0]!;

  const change = (id: number, patch: Partial<Field>): void => setFields((all) => all.map((f) => (f.id === id ? { ...f, ...patch } : f)));

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(undefined);
    const { item: written, problems: found } = itemOfFields(fields);
    setProblems(found);
    if (found.length > 0) return;
    setBusy(true);
    try {
      await dynamodb('PutItem', {
        TableName: table.TableName,
        Item: written,
        ConditionExpression: editing ? 'attribute_exists(#key)' : 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': hashName },
      });
      onDone(true);
    } catch (failure) {
      const why =
        failure instanceof ApiError && failure.code.endsWith('ConditionalCheckFailedException')
          ? editing
            ? ' The item is no longer in the table (deleted meanwhile?).'
            : ' An item with this key is already in the table: edit it instead.'
          : '';
      setError(new Error(`${(failure as Error).message}${why}`));
      setBusy(false);
    }
  };

  return (
    <section className="card item-editor" aria-labelledby="item-editor-heading">
      <h2 id="item-editor-heading" ref={heading} tabIndex={-1}>
        {title}
      </h2>
      <form onSubmit={save} className="stack" noValidate>
        {fields.map((field, i) => {
          const label = field.name.trim() || `attribute ${i + 1}`;
          return (
            <fieldset key={field.id} className="field">
              <legend>{field.key ? `${field.name} (key)` : label}</legend>
              <div className="field-parts">
                {field.key ? null : (
                  <label>
                    <span>Name</span>
                    <input aria-label={`Name of ${label}`} value={field.name} onChange={(e) => change(field.id, { name: e.target.value })} spellCheck={false} />
                  </label>
                )}
                <label>
                  <span>Type</span>
                  <select
                    aria-label={`Type of ${label}`}
                    value={field.type}
                    disabled={field.key}
                    onChange={(e) => change(field.id, { type: e.target.value as FieldType, text: e.target.value === 'BOOL' ? 'false' : field.text })}
                  >
                    {FIELD_TYPES.map((t) => (
                      <option key={t.type} value={t.type}>
                        {t.label}
                      </option>
                    ))}
                  </select>
                </label>
                <FieldValue field={field} label={label} readOnly={field.key && editing} onChange={(text) => change(field.id, { text })} />
                {field.key ? null : (
                  <button type="button" className="quiet" onClick={() => setFields((all) => all.filter((f) => f.id !== field.id))}>
                    Remove {label}
                  </button>
                )}
              </div>
            </fieldset>
          );
        })}
        <div className="row">
          <button
            type="button"
            className="quiet"
            onClick={() => setFields((all) => [...all, { id: nextFieldId++, name: '', type: 'S', text: '', key: false }])}
          >
            Add attribute
          </button>
        </div>
        {problems.length > 0 ? (
          <div role="alert" className="error">
            <p>Nothing was sent: fix these first.</p>
            <ul>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        ) : null}
        <ErrorNote error={error} />
        <div className="row">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save item' : 'Create item'}
          </button>
          <button type="button" onClick={() => onDone(false)} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function FieldValue({ field, label, readOnly, onChange }: { field: Field; label: string; readOnly: boolean; onChange: (text: string) => void }) {
  if (field.type === 'NULL') return <span className="muted">null</span>;
  if (field.type === 'BOOL')
    return (
      <label className="check">
        <input type="checkbox" checked={field.text === 'true'} onChange={(e) => onChange(String(e.target.checked))} />
        <span>Value of {label}: true</span>
      </label>
    );
  const json = field.type === 'L' || field.type === 'M' || field.type === 'SS' || field.type === 'NS' || field.type === 'BS';
  if (json)
    return (
      <label className="grow">
        <span>Value (JSON)</span>
        <textarea aria-label={`Value of ${label}`} value={field.text} onChange={(e) => onChange(e.target.value)} rows={4} spellCheck={false} />
      </label>
    );
  return (
    <label className="grow">
      <span>Value</span>
      <input
        aria-label={`Value of ${label}`}
        value={field.text}
        readOnly={readOnly}
        inputMode={field.type === 'N' ? 'decimal' : undefined}
        onChange={(e) => onChange(e.target.value)}
        spellCheck={false}
      />
    </label>
  );
}
