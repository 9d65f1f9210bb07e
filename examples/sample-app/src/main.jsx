import { Authenticator } from '@aws-amplify/ui-react';
import '@aws-amplify/ui-react/styles.css';
import { configure } from '@forte/amplify';
import { fetchUserAttributes } from 'aws-amplify/auth';
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import outputs from '../amplify_outputs.json';
import './style.css';

// Points aws-amplify at the Forte Cloud named in amplify_outputs.json (written by `forte push`).
void configure(outputs);

function Welcome({ user, signOut }) {
  const [email, setEmail] = useState('');
  useEffect(() => {
    fetchUserAttributes().then((attributes) => setEmail(attributes.email ?? ''), () => setEmail(''));
  }, [user.userId]);
  return (
    <main className="card">
      <h1>Hello from Forte</h1>
      <p data-testid="signed-in">
        Signed in as <strong>{email || user.signInDetails?.loginId || user.username}</strong>
      </p>
      <button type="button" onClick={signOut}>
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
