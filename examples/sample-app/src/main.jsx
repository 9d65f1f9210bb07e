import { Authenticator } from '@aws-amplify/ui-react';
import '@aws-amplify/ui-react/styles.css';
import { configure } from '@forte/amplify';
import { fetchUserAttributes } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';
import { DataStore } from 'aws-amplify/datastore';
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import outputs from '../amplify_outputs.json';
import { Notes } from './notes.jsx';
import './style.css';

// Points aws-amplify at the Forte Cloud named in amplify_outputs.json (written by `forte push`).
void configure(outputs);

// The models come from the model introspection in amplify_outputs.json (the Todo type of backend/schema.graphql).
const client = generateClient();

function Todos() {
  const [todos, setTodos] = useState([]);
  const [synced, setSynced] = useState(false);
  const [content, setContent] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    // The first list, then every create, update and delete made by this user, from any tab or device.
    const subscription = client.models.Todo.observeQuery().subscribe({
      next: ({ items, isSynced }) => {
        setTodos([...items].sort((a, b) => a.createdAt.localeCompare(b.createdAt)));
        setSynced(isSynced);
      },
      error: (e) => setError(messageOf(e)),
    });
    return () => subscription.unsubscribe();
  }, []);

  const run = async (operation) => {
    const { errors } = await operation;
    setError(errors?.length ? errors.map((e) => e.message).join('; ') : '');
  };
  const add = async (event) => {
    event.preventDefault();
    const text = content.trim();
    if (!text) return;
    setContent('');
    await run(client.models.Todo.create({ content: text, done: false }));
  };

  return (
    <section aria-label="To-do list">
      <form onSubmit={add} className="add">
        <input aria-label="New to-do" placeholder="What needs doing?" value={content} onChange={(e) => setContent(e.target.value)} />
        <button type="submit">Add</button>
      </form>
      {error && <p role="alert">{error}</p>}
      <ul className="todos" data-testid="todos" data-synced={synced}>
        {todos.map((todo) => (
          <li key={todo.id} className={todo.done ? 'done' : ''}>
            <label>
              <input type="checkbox" checked={Boolean(todo.done)} onChange={() => run(client.models.Todo.update({ id: todo.id, done: !todo.done }))} />
              <span>{todo.content}</span>
            </label>
            <button type="button" aria-label={`Delete ${todo.content}`} onClick={() => run(client.models.Todo.delete({ id: todo.id }))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      {synced && todos.length === 0 && <p className="empty">Nothing to do yet.</p>}
    </section>
  );
}

function messageOf(error) {
  return error?.errors?.map((e) => e.message).join('; ') ?? error?.message ?? String(error);
}

// Signing out clears DataStore's local notes (and any not yet sent), so the next user of this browser starts empty.
function Welcome({ user, signOut }) {
  const [email, setEmail] = useState('');
  useEffect(() => {
    fetchUserAttributes().then(
      (attributes) => setEmail(attributes.email ?? ''),
      () => setEmail(''),
    );
  }, [user.userId]);
  return (
    <main className="card">
      <h1>Hello from Forte</h1>
      <p data-testid="signed-in">
        Signed in as <strong>{email || user.signInDetails?.loginId || user.username}</strong>
      </p>
      <Todos />
      <Notes />
      <button type="button" onClick={() => DataStore.clear().then(signOut)}>
        Sign out
      </button>
    </main>
  );
}

function App() {
  return (
    <div className="page">
      <Authenticator>{({ user, signOut }) => <Welcome user={user} signOut={signOut} />}</Authenticator>
    </div>
  );
}

createRoot(document.getElementById('root')).render(<App />);
