import { useEffect, useRef } from 'react';
import { resolveInputs, type WorkflowDefinition } from '@weft/core';
import type { NodeView, RunView } from '../api/types';
import { formatDuration } from '../ui/format';
import { StatusBadge } from '../ui/StatusBadge';
import { findMedia, findText } from './media';
import { MediaPreview } from './MediaPreview';

/** JSON longer than this is cut in the page (the API has all of it). */
const MAX_JSON_CHARS = 20_000;

function JsonBlock({ value, label }: { value: unknown; label: string }) {
  let text = JSON.stringify(value, null, 2) ?? 'undefined';
  if (text.length > MAX_JSON_CHARS) {
    text = `${text.slice(0, MAX_JSON_CHARS)}\n… ${text.length - MAX_JSON_CHARS} more characters`;
  }
  return (
    <pre className="json-block" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  );
}

/**
 * A node's inputs as its step received them: the definition's inputs with every reference
 * resolved against the run's input and the results so far (core's resolver, as the orchestrator
 * uses it), or as written while an upstream result is still missing.
 */
function nodeInputs(
  definition: WorkflowDefinition | undefined,
  run: RunView,
  nodeId: string,
): { value: unknown; resolved: boolean } | undefined {
  const inputs = definition?.dag.nodes[nodeId]?.inputs;
  if (inputs === undefined) return undefined;
  const nodes: Record<string, { result: unknown }> = {};
  for (const [id, node] of Object.entries(run.nodes)) {
    if (node.result !== undefined) nodes[id] = { result: node.result };
  }
  const resolved = resolveInputs(inputs, { input: run.input, nodes });
  return resolved.ok
    ? { value: resolved.value, resolved: true }
    : { value: inputs, resolved: false };
}

function NodeResult({
  id,
  node,
  definition,
  run,
  selected,
}: {
  id: string;
  node: NodeView;
  definition: WorkflowDefinition | undefined;
  run: RunView;
  selected: boolean;
}) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (selected) ref.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [selected]);
  const inputs = nodeInputs(definition, run, id);
  const media = node.result === undefined ? [] : findMedia(node.result);
  const text = findText(node.result);
  const task = definition?.dag.nodes[id]?.task;
  return (
    <article
      ref={ref}
      className={`node-result ${selected ? 'is-selected' : ''}`}
      aria-labelledby={`result-${id}`}
      data-node-id={id}
    >
      <header className="node-result-header">
        <h3 id={`result-${id}`}>{id}</h3>
        <StatusBadge status={node.status} />
        <span className="muted">
          {task ? `${task} · ` : ''}attempt {node.attempt}
          {node.durationMs !== undefined && ` · ${formatDuration(node.durationMs)}`}
        </span>
      </header>
      {node.waiting && <p className="hint">{node.waiting.message}</p>}
      {node.error && (
        <div className="alert alert-error node-error">
          <strong>{node.error.code}</strong>: {node.error.message}
        </div>
      )}
      {media.length > 0 && (
        <div className="media-list">
          {media.map((item, index) => (
            <MediaPreview
              key={item.url}
              media={item}
              label={`${item.kind ?? 'file'} ${index + 1} from ${id}`}
            />
          ))}
        </div>
      )}
      {text !== undefined && <blockquote className="output-text">{text}</blockquote>}
      {node.result !== undefined && (
        <details className="node-section" open={media.length === 0 && text === undefined}>
          <summary>Output</summary>
          <JsonBlock value={node.result} label={`Output of ${id}`} />
        </details>
      )}
      {inputs !== undefined && (
        <details className="node-section">
          <summary>
            Inputs{inputs.resolved ? '' : ' (as written: references resolve later)'}
          </summary>
          <JsonBlock value={inputs.value} label={`Inputs of ${id}`} />
        </details>
      )}
    </article>
  );
}

/** Each node's inputs, output (media shown) and error, in execution order. */
export function NodeResults({
  run,
  definition,
  order,
  selectedNode,
}: {
  run: RunView;
  definition: WorkflowDefinition | undefined;
  order: readonly string[];
  selectedNode: string | undefined;
}) {
  return (
    <div className="node-results">
      {order.map((id) => {
        const node = run.nodes[id];
        return node === undefined ? null : (
          <NodeResult
            key={id}
            id={id}
            node={node}
            definition={definition}
            run={run}
            selected={selectedNode === id}
          />
        );
      })}
    </div>
  );
}
