import { useMemo, useState } from 'react';
import { WeftApi } from './api/weft-api';
import { ApiContext } from './api-context';
import { Link, NavigationProvider, useNavigation } from './navigation';
import { EditorPage } from './pages/EditorPage';
import { NewWorkflowPage } from './pages/NewWorkflowPage';
import { RunPage } from './pages/RunPage';
import { RunsPage } from './pages/RunsPage';
import { SignInPage } from './pages/SignInPage';
import { WorkflowsPage } from './pages/WorkflowsPage';
import { forgetApiKey, storeApiKey, storedApiKey } from './session';
import { TaskCatalogueProvider } from './task-catalogue';

function CurrentPage() {
  const { route } = useNavigation();
  switch (route.page) {
    case 'workflows':
      return <WorkflowsPage />;
    case 'new':
      return <NewWorkflowPage />;
    // One element for both, so the first save (template → workflow URL) keeps the editor.
    case 'template':
      return <EditorPage key="editor" template={route.template} />;
    case 'editor':
      return <EditorPage key="editor" slug={route.slug} />;
    case 'runs':
      return <RunsPage key={route.slug} slug={route.slug} />;
    case 'run':
      return <RunPage key={route.runId} runId={route.runId} />;
    case 'not-found':
      return (
        <div className="page">
          <h1>Not found</h1>
          <p>
            There is no such page. <Link to={{ page: 'workflows' }}>See the workflows</Link>.
          </p>
        </div>
      );
  }
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { route } = useNavigation();
  const onWorkflows = route.page === 'workflows' || route.page === 'runs';
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link className="brand" to={{ page: 'workflows' }}>
          <span className="brand-mark" aria-hidden="true" /> Weft
        </Link>
        <nav aria-label="Main">
          <Link to={{ page: 'workflows' }} aria-current={onWorkflows ? 'page' : undefined}>
            Workflows
          </Link>
          <Link to={{ page: 'new' }} aria-current={route.page === 'new' ? 'page' : undefined}>
            New workflow
          </Link>
        </nav>
        <button type="button" className="link-button sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" className="app-main">
        <CurrentPage />
      </main>
    </div>
  );
}

/** The console: sign in with an API key, then the workflows, the editor and the runs. */
export function App() {
  const [apiKey, setApiKey] = useState(storedApiKey);
  const signOut = () => {
    forgetApiKey();
    setApiKey(undefined);
  };
  const api = useMemo(
    () => (apiKey === undefined ? undefined : new WeftApi(apiKey, signOut)),
    [apiKey],
  );
  if (api === undefined) {
    return (
      <SignInPage
        onSignedIn={(key) => {
          storeApiKey(key);
          setApiKey(key);
        }}
      />
    );
  }
  return (
    <ApiContext.Provider value={api}>
      <TaskCatalogueProvider api={api}>
        <NavigationProvider>
          <Shell onSignOut={signOut} />
        </NavigationProvider>
      </TaskCatalogueProvider>
    </ApiContext.Provider>
  );
}
