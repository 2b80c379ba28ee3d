import { useState, type FormEvent } from 'react';
import { WeftApi } from '../api/weft-api';
import { errorMessage } from '../api-context';
import { ErrorAlert } from '../ui/ErrorAlert';

/**
 * Sign in with an app's API key. The key is checked against the API before it is kept, and it
 * is kept in this tab's sessionStorage only.
 */
export function SignInPage({ onSignedIn }: { onSignedIn: (apiKey: string) => void }) {
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = apiKey.trim();
    if (key === '') return;
    setBusy(true);
    setError(undefined);
    try {
      await new WeftApi(key).listWorkflows();
      onSignedIn(key);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={(event) => void submit(event)}>
        <h1>
          <span className="brand-mark" aria-hidden="true" /> Weft console
        </h1>
        <p className="muted">
          Sign in with an app’s API key: <code>npm start</code> prints the demo app’s, and{' '}
          <code>npx weft apps create &lt;name&gt;</code> makes one.
        </p>
        <div className="field">
          <label htmlFor="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            value={apiKey}
            aria-describedby="api-key-hint"
            onChange={(event) => setApiKey(event.target.value)}
            required
          />
          <p id="api-key-hint" className="hint">
            Kept in this browser tab only, and sent as <code>Authorization: Bearer</code>.
          </p>
        </div>
        <ErrorAlert message={error} />
        <button
          type="submit"
          className="button button-primary"
          disabled={busy || apiKey.trim() === ''}
        >
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
