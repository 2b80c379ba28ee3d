import type { RunView } from '../api/types';
import { formatDuration, statusLabel } from '../ui/format';

function ms(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : time;
}

/** Evenly spaced ticks over `span` ms at a round step: 4 to 8 of them. */
function ticks(span: number): number[] {
  const steps = [
    100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  ];
  const step = steps.find((candidate) => span / candidate <= 8) ?? span / 6;
  const list: number[] = [];
  for (let t = 0; t <= span; t += step) list.push(t);
  return list;
}

function offset(label: number): string {
  return `+${formatDuration(label)}`;
}

/**
 * A Gantt chart of the run: one row per node, a light bar while it waited in its queue and a
 * solid one while it ran, on a common axis from the run's creation. Each row also says it in
 * words, for screen readers and exact figures.
 */
export function Timeline({
  run,
  order,
  now,
  onSelectNode,
  selectedNode,
}: {
  run: RunView;
  order: readonly string[];
  now: number;
  onSelectNode: (id: string) => void;
  selectedNode: string | undefined;
}) {
  const start = ms(run.createdAt) ?? now;
  const end = Math.max(ms(run.finishedAt) ?? now, start + 1);
  const span = end - start;
  const at = (time: number) => `${(((time - start) / span) * 100).toFixed(3)}%`;
  const width = (from: number, to: number) =>
    `${Math.max(((to - from) / span) * 100, 0.4).toFixed(3)}%`;

  return (
    <div className="timeline">
      <div className="timeline-axis" aria-hidden="true">
        <span className="timeline-label" />
        <div className="timeline-track">
          {ticks(span).map((tick) => (
            <span key={tick} className="timeline-tick" style={{ left: at(start + tick) }}>
              {offset(tick)}
            </span>
          ))}
        </div>
      </div>
      <ol className="timeline-rows">
        {order.map((id) => {
          const node = run.nodes[id];
          if (node === undefined) return null;
          const queued = ms(node.queuedAt);
          const started = ms(node.startedAt);
          const finished = ms(node.finishedAt);
          const runningEnd = finished ?? (node.status === 'running' ? now : undefined);
          const words = [
            `${id}: ${statusLabel(node.status)}`,
            queued !== undefined ? `queued at ${offset(queued - start)}` : '',
            started !== undefined ? `started at ${offset(started - start)}` : '',
            finished !== undefined ? `finished at ${offset(finished - start)}` : '',
            started !== undefined && runningEnd !== undefined
              ? `ran ${formatDuration(runningEnd - started)}`
              : '',
          ]
            .filter((part) => part !== '')
            .join(', ');
          return (
            <li
              key={id}
              className={`timeline-row ${selectedNode === id ? 'is-selected' : ''}`}
              data-node-id={id}
            >
              <button
                type="button"
                className="timeline-label link-button"
                onClick={() => onSelectNode(id)}
                aria-label={words}
              >
                {id}
              </button>
              <div className="timeline-track" aria-hidden="true">
                {queued !== undefined && (
                  <span
                    className="timeline-bar timeline-queued"
                    style={{ left: at(queued), width: width(queued, started ?? finished ?? now) }}
                  />
                )}
                {started !== undefined && runningEnd !== undefined && (
                  <span
                    className={`timeline-bar timeline-running bar-${node.status}`}
                    style={{ left: at(started), width: width(started, runningEnd) }}
                    title={words}
                  />
                )}
                {started !== undefined && runningEnd !== undefined && (
                  <span className="timeline-duration" style={{ left: at(runningEnd) }}>
                    {formatDuration(runningEnd - started)}
                  </span>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
