import { useEffect, useState } from 'react';
import type { WorkflowSummary } from '../api/types';
import { errorMessage, useApi } from '../api-context';
import { Link } from '../navigation';
import { formatTime } from '../ui/format';
import { ErrorAlert } from '../ui/ErrorAlert';

/** The app's workflows and the built-in templates it can run, with links to edit and to runs. */
export function WorkflowsPage() {
  const api = useApi();
  const [workflows, setWorkflows] = useState<WorkflowSummary[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let current = true;
    api
      .listWorkflows()
      .then((list) => current && setWorkflows(list))
      .catch((failure: unknown) => current && setError(errorMessage(failure)));
    return () => {
      current = false;
    };
  }, [api]);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Workflows</h1>
          <p className="muted">DAGs of AI steps: open one to edit it, run it or see its runs.</p>
        </div>
        <div className="toolbar-actions">
          <Link className="button button-primary" to={{ page: 'new' }}>
            New workflow
          </Link>
        </div>
      </header>
      <ErrorAlert message={error} />
      {workflows === undefined ? (
        !error && <p className="muted">Loading workflows…</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Workflows</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Version</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {workflows.map((workflow) => (
              <tr key={workflow.slug}>
                <td>
                  <Link to={{ page: 'editor', slug: workflow.slug }}>{workflow.name}</Link>
                  {workflow.builtIn && <span className="tag">built-in</span>}
                  {workflow.description && (
                    <div className="muted small">{workflow.description}</div>
                  )}
                </td>
                <td className="mono">{workflow.slug}</td>
                <td>{workflow.latestVersion}</td>
                <td>{workflow.builtIn ? '—' : formatTime(workflow.updatedAt)}</td>
                <td className="actions">
                  <Link
                    to={{ page: 'runs', slug: workflow.slug }}
                    aria-label={`Runs of ${workflow.name}`}
                  >
                    Runs
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
