import { DataStore } from 'aws-amplify/datastore';
import { Hub } from 'aws-amplify/utils';
import { useEffect, useState } from 'react';
import { Note } from './models';

/**
 * Offline notes: DataStore keeps the user's notes on this device (IndexedDB). Notes written or deleted while offline
 * wait in DataStore's outbox, survive a reload, and are sent when the network is back; changes made on other devices
 * arrive by the sync and the realtime subscriptions.
 */
export function Notes() {
  const [notes, setNotes] = useState([]);
  const [synced, setSynced] = useState(false);
  const [online, setOnline] = useState(navigator.onLine);
  const [pending, setPending] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    const stopListening = Hub.listen('datastore', ({ payload }) => {
      if (payload.event === 'networkStatus') setOnline(payload.data.active);
      if (payload.event === 'outboxStatus') setPending(!payload.data.isEmpty);
    });
    // Starts DataStore: the notes on this device at once, then again after every local or synced change.
    const subscription = DataStore.observeQuery(Note).subscribe({
      next: ({ items, isSynced }) => {
        setNotes([...items].sort((a, b) => a.text.localeCompare(b.text)));
        setSynced(isSynced);
      },
      error: (e) => setError(e?.message ?? String(e)),
    });
    return () => {
      stopListening();
      subscription.unsubscribe();
    };
  }, []);

  const run = (operation) =>
    operation.then(
      () => setError(''),
      (e) => setError(e?.message ?? String(e)),
    );
  const add = (event) => {
    event.preventDefault();
    const value = text.trim();
    if (!value) return;
    setText('');
    void run(DataStore.save(new Note({ text: value })));
  };

  const status = !online ? 'Offline: notes are kept on this device and sync when you are back online.' : pending ? 'Syncing…' : 'All notes synced.';
  return (
    <section aria-label="Offline notes">
      <h2>Notes</h2>
      <p role="status" className="sync-status">
        {status}
      </p>
      <form onSubmit={add} className="add">
        <input aria-label="New note" placeholder="Write a note" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit">Save note</button>
      </form>
      {error && <p role="alert">{error}</p>}
      <ul className="todos" data-testid="notes" data-synced={synced}>
        {notes.map((note) => (
          <li key={note.id}>
            <span>{note.text}</span>
            <button type="button" aria-label={`Delete note ${note.text}`} onClick={() => void run(DataStore.delete(note))}>
              ×
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
