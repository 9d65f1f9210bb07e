import { useState, type FormEvent } from 'react';
import { signIn } from '../api.js';

/** Sign-in with the cloud's admin keys; `forte console` prints a one-time link that skips it. */
export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      await signIn(String(form.get('accessKeyId') ?? '').trim(), String(form.get('secretAccessKey') ?? ''));
      onSignedIn();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <h1>Sign in to the Forte console</h1>
      <p className="muted">
        Run <code>forte console</code> for a one-time login link, or sign in with the cloud&apos;s admin keys (<code>admin-credentials.json</code> in its data
        folder).
      </p>
      <form onSubmit={submit} className="card stack">
        <label>
          Access key id
          <input name="accessKeyId" autoComplete="username" required spellCheck={false} />
        </label>
        <label>
          Secret access key
          <input name="secretAccessKey" type="password" autoComplete="current-password" required />
        </label>
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
