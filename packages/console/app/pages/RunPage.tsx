import { useEffect, useMemo, useState } from 'react';
import {
  isTerminalRunStatus,
  topologicalOrder,
  type NodeStatus,
  type WorkflowDefinition,
} from '@weft/core';
import type { RunView } from '../api/types';
import { errorMessage, useApi } from '../api-context';
import { WorkflowGraph } from '../graph/WorkflowGraph';
import { Link } from '../navigation';
import { NodeResults } from '../run/NodeResults';
import { Timeline } from '../run/Timeline';
import { useLiveRun } from '../run/use-live-run';
import { formatDuration, formatTime } from '../ui/format';
import { StatusBadge } from '../ui/StatusBadge';
import { ErrorAlert } from '../ui/ErrorAlert';

/** A graph for a run whose definition cannot be read (an inline plan): its nodes, no edges. */
function nodesOnly(run: RunView): WorkflowDefinition {
  return {
    name: run.workflow.name,
    dag: {
      nodes: Object.fromEntries(Object.keys(run.nodes).map((id) => [id, { task: '', inputs: {} }])),
      edges: [],
    },
  };
}

function byStart(run: RunView): string[] {
  const time = (id: string) =>
    Date.parse(run.nodes[id]?.queuedAt ?? run.nodes[id]?.startedAt ?? '') || Infinity;
  return Object.keys(run.nodes).sort((a, b) => time(a) - time(b));
}

/** Ticks every `interval` ms while `active`, for durations that grow while a run goes on. */
function useNow(active: boolean, interval = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), interval);
    return () => clearInterval(timer);
  }, [active, interval]);
  return active ? now : Date.now();
}

/**
 * One run: its graph coloured by node status, live over Server-Sent Events; a timeline of each
 * node's start and finish; each node's inputs, output and error; and Cancel while it goes on.
 */
export function RunPage({ runId }: { runId: string }) {
  const api = useApi();
  const { run, error, setRun } = useLiveRun(runId);
  const [definition, setDefinition] = useState<WorkflowDefinition>();
  // The graph waits for the definition (its edges decide the layout), unless there is none.
  const [definitionMissing, setDefinitionMissing] = useState(false);
  const [selectedNode, setSelectedNode] = useState<string>();
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string>();

  const slug = run?.workflow.slug;
  const version = run?.workflow.version;
  useEffect(() => {
    if (slug === undefined) return;
    setDefinitionMissing(false);
    let current = true;
    api
      .getWorkflow(slug, version)
      .then((found) => current && setDefinition(found.definition))
      .catch(() => current && setDefinitionMissing(true));
    return () => {
      current = false;
    };
  }, [api, slug, version]);

  const running = run !== undefined && !isTerminalRunStatus(run.status);
  const now = useNow(running);
  const shown =
    definition ?? (run && (slug === undefined || definitionMissing) ? nodesOnly(run) : undefined);
  const order = useMemo(() => {
    if (!run) return [];
    const topological = definition ? topologicalOrder(definition) : undefined;
    return topological?.filter((id) => run.nodes[id] !== undefined) ?? byStart(run);
  }, [definition, run]);
  const statuses = useMemo(() => {
    const map: Record<string, NodeStatus> = {};
    for (const [id, node] of Object.entries(run?.nodes ?? {})) map[id] = node.status;
    return map;
  }, [run]);

  if (error && !run) {
    return (
      <div className="page">
        <h1>Run {runId}</h1>
        <ErrorAlert message={error} />
      </div>
    );
  }
  if (!run) return <p className="page muted">Loading run {runId}…</p>;

  const created = Date.parse(run.createdAt);
  const duration = run.durationMs ?? (running ? now - created : null);
  const cancel = async () => {
    setCancelling(true);
    setCancelError(undefined);
    try {
      setRun(await api.cancelRun(run.runId));
    } catch (failure) {
      setCancelError(errorMessage(failure));
    } finally {
      setCancelling(false);
    }
  };

  return (
    <div className="page run-page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            {slug !== undefined ? (
              <>
                <Link to={{ page: 'editor', slug }}>{run.workflow.name}</Link>
                {' › '}
                <Link to={{ page: 'runs', slug }}>Runs</Link>
                {' › '}
              </>
            ) : (
              `${run.workflow.name} › `
            )}
            <span className="mono">{run.runId}</span>
          </p>
          <h1>
            Run of {run.workflow.name} <StatusBadge status={run.status} />
          </h1>
          <p className="muted" aria-live="off">
            {version !== undefined && `Version ${version} · `}Started {formatTime(run.createdAt)}
            {' · '}
            <span className="run-duration">
              {run.finishedAt ? 'took' : 'running for'} {formatDuration(duration)}
            </span>
          </p>
        </div>
        <div className="toolbar-actions">
          {running && (
            <button
              type="button"
              className="button button-danger"
              onClick={() => void cancel()}
              disabled={cancelling}
            >
              {cancelling ? 'Cancelling…' : 'Cancel run'}
            </button>
          )}
        </div>
      </header>
      <p className="visually-hidden" role="status">
        Run {run.status.replace('_', ' ')}
      </p>
      <ErrorAlert message={cancelError} />
      {run.error && (
        <p className={`alert ${run.status === 'cancelled' ? 'alert-neutral' : 'alert-error'}`}>
          <strong>{run.error.code}</strong>: {run.error.message}
        </p>
      )}
      <div className="run-body">
        <div className="run-main">
          <section className="card" aria-labelledby="run-graph-heading">
            <h2 id="run-graph-heading" className="panel-heading">
              Graph
            </h2>
            {slug === undefined && (
              <p className="hint">
                An inline plan: its definition is not kept as a workflow, so only its nodes show.
              </p>
            )}
            <div className="canvas canvas-run">
              {shown && (
                <WorkflowGraph
                  definition={shown}
                  statuses={statuses}
                  editable={false}
                  selectedNode={selectedNode}
                  onSelectNode={setSelectedNode}
                  label="Run graph, coloured by node status"
                />
              )}
            </div>
          </section>
          <section className="card" aria-labelledby="run-timeline-heading">
            <h2 id="run-timeline-heading" className="panel-heading">
              Timeline
            </h2>
            <Timeline
              run={run}
              order={order}
              now={now}
              onSelectNode={setSelectedNode}
              selectedNode={selectedNode}
            />
          </section>
          <section className="card" aria-labelledby="run-input-heading">
            <h2 id="run-input-heading" className="panel-heading">
              Input
            </h2>
            {Object.keys(run.input).length === 0 ? (
              <p className="muted">This run had no input.</p>
            ) : (
              <dl className="run-input">
                {Object.entries(run.input).map(([name, value]) => (
                  <div key={name}>
                    <dt className="mono">{name}</dt>
                    <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
                  </div>
                ))}
              </dl>
            )}
          </section>
        </div>
        <section className="run-side card" aria-labelledby="run-nodes-heading">
          <h2 id="run-nodes-heading" className="panel-heading">
            Nodes
          </h2>
          <NodeResults
            run={run}
            definition={definition}
            order={order}
            selectedNode={selectedNode}
          />
        </section>
      </div>
    </div>
  );
}
