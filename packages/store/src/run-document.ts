import type { NodeRecord, StepError } from '@weft/core';
import type { StoredRun } from './stored-run';

/**
 * How a run is laid out in MongoDB. Values that came from users or providers (input, results,
 * error details) are kept as JSON text: their keys may hold `.` or `$`, which field names cannot,
 * and the database never needs to look inside them.
 */
export interface RunDocument extends Omit<StoredRun, 'id' | 'input' | 'nodes'> {
  _id: string;
  input: string;
  nodes: Record<string, NodeDocument>;
  /** The bulk write that last changed the run, if one did (see writeFor). */
  batch?: string;
}

export interface NodeDocument extends Omit<NodeRecord, 'result' | 'error'> {
  result?: string;
  error?: Omit<StepError, 'details'> & { details?: string };
}

export function nodeToDocument(node: NodeRecord): NodeDocument {
  const { result, error, ...rest } = node;
  const document: NodeDocument = { ...rest };
  if (result !== undefined) document.result = JSON.stringify(result);
  if (error) {
    const { details, ...errorRest } = error;
    document.error =
      details === undefined ? errorRest : { ...errorRest, details: JSON.stringify(details) };
  }
  return document;
}

function nodeFromDocument(document: NodeDocument): NodeRecord {
  const { result, error, ...rest } = document;
  const node: NodeRecord = { ...rest };
  if (result !== undefined) node.result = JSON.parse(result) as unknown;
  if (error) {
    const { details, ...errorRest } = error;
    node.error =
      details === undefined ? errorRest : { ...errorRest, details: JSON.parse(details) as unknown };
  }
  return node;
}

export function runToDocument(run: StoredRun): RunDocument {
  const { id, input, nodes, ...rest } = run;
  return {
    ...rest,
    _id: id,
    input: JSON.stringify(input),
    nodes: Object.fromEntries(
      Object.entries(nodes).map(([nodeId, node]) => [nodeId, nodeToDocument(node)]),
    ),
  };
}

export function runFromDocument(document: RunDocument): StoredRun {
  // `batch` is the store's own bookkeeping, not part of the run.
  const { _id, input, nodes, batch: _batch, ...rest } = document;
  return {
    ...rest,
    id: _id,
    input: JSON.parse(input) as Record<string, unknown>,
    nodes: nodesFromDocument(nodes),
  };
}

/** A run read without its input and outbox, and perhaps without some nodes (see RunStore.reread). */
export type RunUpdate = Omit<StoredRun, 'input' | 'outbox'>;

export function runUpdateFromDocument(document: Omit<RunDocument, 'input' | 'outbox'>): RunUpdate {
  const { _id, nodes, batch: _batch, ...rest } = document;
  return { ...rest, id: _id, nodes: nodesFromDocument(nodes) };
}

function nodesFromDocument(nodes: Record<string, NodeDocument>): Record<string, NodeRecord> {
  return Object.fromEntries(
    Object.entries(nodes).map(([nodeId, node]) => [nodeId, nodeFromDocument(node)]),
  );
}
