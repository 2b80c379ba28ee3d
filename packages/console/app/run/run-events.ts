import type { ServerSentEvent } from '@weft/client';
import type { NodeView, RunView } from '../api/types';

/**
 * A run after one event of `GET /v1/workflows/runs/:id/events`: `snapshot` and `end` carry the
 * whole run, `node` one node's new state, `run` the run's new status. Unknown events change
 * nothing, so a newer gateway cannot break an older console.
 */
export function applyRunEvent(
  run: RunView | undefined,
  event: Pick<ServerSentEvent, 'event' | 'data'>,
): RunView | undefined {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    return run;
  }
  switch (event.event) {
    case 'snapshot':
    case 'end':
      return data as RunView;
    case 'node': {
      if (run === undefined) return run;
      const {
        runId: _runId,
        nodeId,
        ...view
      } = data as NodeView & { runId: string; nodeId: string };
      return { ...run, nodes: { ...run.nodes, [nodeId]: view } };
    }
    case 'run': {
      if (run === undefined) return run;
      const change = data as Pick<RunView, 'status'> & {
        error?: RunView['error'];
        finishedAt?: string;
      };
      return {
        ...run,
        status: change.status,
        ...(change.error === undefined ? {} : { error: change.error }),
        ...(change.finishedAt === undefined ? {} : { finishedAt: change.finishedAt }),
      };
    }
    default:
      return run;
  }
}
