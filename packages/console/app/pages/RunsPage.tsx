import { useCallback, useEffect, useState } from 'react';
import { isTerminalRunStatus } from '@weft/core';
import type { RunSummary } from '../api/types';
import { errorMessage, useApi } from '../api-context';
import { Link } from '../navigation';
import { formatDuration, formatTime } from '../ui/format';
import { StatusBadge } from '../ui/StatusBadge';
import { ErrorAlert } from '../ui/ErrorAlert';

/** How often the list is read again while one of its runs is still going. */
const REFRESH_MS = 2000;

/** The execution history of one workflow: its runs, newest first, with status and duration. */
export function RunsPage({ slug }: { slug: string }) {
  const api = useApi();
  const [runs, setRuns] = useState<RunSummary[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);

  const loadFirst = useCallback(async () => {
    try {
      const page = await api.listRuns(slug);
      // Keep the older pages already loaded below the fresh first one.
      setRuns((current) => {
        const fresh = new Set(page.runs.map((run) => run.runId));
        const older = (current ?? []).filter(
          (run) => !fresh.has(run.runId) && run.createdAt < (page.runs.at(-1)?.createdAt ?? ''),
        );
        return [...page.runs, ...older];
      });
      setCursor((current) => current ?? page.nextCursor);
      setError(undefined);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }, [api, slug]);

  useEffect(() => {
    void loadFirst();
  }, [loadFirst]);

  const active = runs?.some((run) => !isTerminalRunStatus(run.status)) ?? false;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => void loadFirst(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [active, loadFirst]);

  const loadMore = async () => {
    if (cursor === null) return;
    setLoadingMore(true);
    try {
      const page = await api.listRuns(slug, cursor);
      setRuns((current) => [...(current ?? []), ...page.runs]);
      setCursor(page.nextCursor);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to={{ page: 'workflows' }}>Workflows</Link> ›{' '}
            <Link to={{ page: 'editor', slug }}>{slug}</Link> › Runs
          </p>
          <h1>Execution history</h1>
        </div>
        <div className="toolbar-actions">
          <Link className="button" to={{ page: 'editor', slug }}>
            Open in editor
          </Link>
        </div>
      </header>
      <ErrorAlert message={error} />
      {runs === undefined ? (
        <p className="muted">Loading runs…</p>
      ) : runs.length === 0 ? (
        <p className="empty">No runs yet. Open the workflow and press Run.</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Runs of {slug}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col">Version</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.runId}>
                <td>
                  <Link className="mono" to={{ page: 'run', runId: run.runId }}>
                    {run.runId}
                  </Link>
                </td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td>{run.workflow.version ?? '—'}</td>
                <td>{formatTime(run.createdAt)}</td>
                <td>{formatDuration(run.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor !== null && runs !== undefined && runs.length > 0 && (
        <button
          type="button"
          className="button"
          onClick={() => void loadMore()}
          disabled={loadingMore}
        >
          {loadingMore ? 'Loading…' : 'Load older runs'}
        </button>
      )}
    </div>
  );
}
