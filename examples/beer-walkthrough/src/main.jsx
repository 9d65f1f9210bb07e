import { Authenticator } from '@aws-amplify/ui-react';
import '@aws-amplify/ui-react/styles.css';
import { configure } from '@forte/amplify';
import { del, get, post } from 'aws-amplify/api';
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import outputs from '../amplify_outputs.json';
import './style.css';

// Points aws-amplify at the Forte Cloud named in amplify_outputs.json (written by `forte push`), REST APIs included.
void configure(outputs);

// The walkthrough's REST API and path: API Gateway → the Express function from Amplify's "CRUD function for
// Amazon DynamoDB table" template → the `beer` table. aws-amplify signs each call with the signed-in user's
// identity-pool credentials; the API lets only signed-in users in.
const API = 'beerapi';
const PATH = '/beer';

async function listBeers() {
  const { body } = await get({ apiName: API, path: PATH }).response;
  return body.json();
}

function Beers() {
  const [beers, setBeers] = useState([]);
  const [loaded, setLoaded] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState('');

  const refresh = async () => {
    try {
      const items = await listBeers();
      setBeers([...items].sort((a, b) => String(a.name).localeCompare(String(b.name))));
      setError('');
    } catch (e) {
      setError(await messageOf(e));
    } finally {
      setLoaded(true);
    }
  };
  useEffect(() => {
    void refresh();
  }, []);

  const run = async (request) => {
    try {
      await request.response;
      await refresh();
    } catch (e) {
      setError(await messageOf(e));
    }
  };
  const add = async (event) => {
    event.preventDefault();
    const text = name.trim();
    if (!text) return;
    setName('');
    await run(post({ apiName: API, path: PATH, options: { body: { id: crypto.randomUUID(), name: text } } }));
  };

  return (
    <section aria-label="Beers">
      <form onSubmit={add} className="add">
        <input aria-label="New beer" placeholder="A beer worth remembering" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit">Add</button>
      </form>
      {error && <p role="alert">{error}</p>}
      <ul className="todos" data-testid="beers" data-loaded={loaded}>
        {beers.map((beer) => (
          <li key={beer.id}>
            <span>{beer.name}</span>
            <button
              type="button"
              aria-label={`Delete ${beer.name}`}
              onClick={() => run(del({ apiName: API, path: `${PATH}/object/${encodeURIComponent(beer.id)}` }))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {loaded && beers.length === 0 && <p className="empty">No beers yet.</p>}
    </section>
  );
}

/** The API's message (API Gateway's or the function's), else the error's own. */
async function messageOf(error) {
  const body = error?.response?.body;
  if (typeof body === 'string' && body) {
    try {
      const parsed = JSON.parse(body);
      return parsed.message ?? parsed.error ?? body;
    } catch {
      return body;
    }
  }
  return error?.message ?? String(error);
}

function App() {
  return (
    <div className="page">
      <Authenticator>
        {({ user, signOut }) => (
          <main className="card">
            <h1>Beers</h1>
            <p data-testid="signed-in">
              Signed in as <strong>{user.signInDetails?.loginId || user.username}</strong>
            </p>
            <Beers />
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </main>
        )}
      </Authenticator>
    </div>
  );
}

createRoot(document.getElementById('root')).render(<App />);
