import type { NodeEventData, NodeView, RunEvent, RunView } from './types';
import { isTerminalRunStatus } from './types';

function nodeEventOf(runId: string, nodeId: string, node: NodeView): NodeEventData {
  return {
    runId,
    nodeId,
    status: node.status,
    attempt: node.attempt,
    ...(node.startedAt === undefined ? {} : { startedAt: node.startedAt }),
    ...(node.finishedAt === undefined ? {} : { finishedAt: node.finishedAt }),
    ...(node.durationMs === undefined ? {} : { durationMs: node.durationMs }),
    ...(node.error === undefined ? {} : { error: node.error }),
  };
}

/**
 * What is known of one run, kept current from its live events, or from successive polls turned
 * into the same events, so that whoever watches a run sees one kind of event either way.
 */
export class RunTracker {
  private current: RunView | undefined;

  /** The run as last known; undefined before the first snapshot or poll. */
  get view(): RunView | undefined {
    return this.current;
  }

  /** Applies an event from the live stream. */
  apply(event: RunEvent): void {
    switch (event.type) {
      case 'snapshot':
      case 'end':
        this.current = event.data;
        return;
      case 'node': {
        if (this.current === undefined) return;
        const { nodeId, runId: _runId, ...change } = event.data;
        const node: NodeView = { ...this.current.nodes[nodeId], ...change };
        if (change.error === undefined) delete node.error;
        this.current = { ...this.current, nodes: { ...this.current.nodes, [nodeId]: node } };
        return;
      }
      case 'run': {
        if (this.current === undefined) return;
        const { status, error, finishedAt } = event.data;
        this.current = {
          ...this.current,
          status,
          ...(error === undefined ? {} : { error }),
          ...(finishedAt === undefined ? {} : { finishedAt }),
        };
        return;
      }
    }
  }

  /**
   * The events that bring what is known to `view` (a snapshot first, a node event per node whose
   * status or attempt changed, a run event when its status changed, an end when it has ended),
   * and takes `view` as the new state.
   */
  changesTo(view: RunView): RunEvent[] {
    const events: RunEvent[] = [];
    const known = this.current;
    if (known === undefined) {
      events.push({ type: 'snapshot', data: view });
    } else {
      for (const [nodeId, node] of Object.entries(view.nodes)) {
        const before = known.nodes[nodeId];
        if (before?.status !== node.status || before.attempt !== node.attempt) {
          events.push({ type: 'node', data: nodeEventOf(view.runId, nodeId, node) });
        }
      }
      if (known.status !== view.status) {
        events.push({
          type: 'run',
          data: {
            runId: view.runId,
            status: view.status,
            ...(view.error === null ? {} : { error: view.error }),
            ...(view.finishedAt === null ? {} : { finishedAt: view.finishedAt }),
          },
        });
      }
    }
    if (isTerminalRunStatus(view.status)) events.push({ type: 'end', data: view });
    this.current = view;
    return events;
  }
}
