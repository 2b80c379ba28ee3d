import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { NodeStatus } from '@weft/core';
import { shortLabel, type Problem } from '../editor/graph-problems';
import { StatusBadge } from '../ui/StatusBadge';

/** What a node on the canvas shows. */
export interface TaskNodeData extends Record<string, unknown> {
  nodeId: string;
  task: string;
  model?: string;
  problems: Problem[];
  /** In a run: the node's status. */
  status?: NodeStatus;
  connectable: boolean;
}

export type TaskFlowNode = Node<TaskNodeData, 'task'>;

const RANK: Record<Problem['severity'], number> = { error: 0, type_issue: 1, warning: 2 };

function worstSeverity(problems: readonly Problem[]): Problem['severity'] | undefined {
  if (problems.some((p) => p.severity === 'error')) return 'error';
  if (problems.some((p) => p.severity === 'type_issue')) return 'type_issue';
  return problems.length > 0 ? 'warning' : undefined;
}

/** A workflow node: id, task type and model, its status in a run, and its problems in the editor. */
export function TaskNode({ data, selected }: NodeProps<TaskFlowNode>) {
  const severity = worstSeverity(data.problems);
  // One line per kind of problem, in the colour of its worst occurrence.
  const labels = new Map<string, Problem['severity']>();
  for (const problem of [...data.problems].sort((a, b) => RANK[a.severity] - RANK[b.severity])) {
    const label = shortLabel(problem);
    if (!labels.has(label)) labels.set(label, problem.severity);
  }
  const shown = [...labels].slice(0, 3);
  return (
    <div
      className={[
        'task-node',
        selected ? 'is-selected' : '',
        severity ? `has-${severity}` : '',
        data.status ? `node-status-${data.status}` : '',
      ].join(' ')}
      data-node-id={data.nodeId}
      data-status={data.status}
      data-problems={data.problems.map((p) => p.code).join(' ')}
    >
      <Handle
        type="target"
        position={Position.Left}
        isConnectable={data.connectable}
        aria-label={`Connect into ${data.nodeId}`}
      />
      <div className="task-node-header">
        <span className="task-node-id">{data.nodeId}</span>
        {data.status && <StatusBadge status={data.status} />}
      </div>
      {(data.task || data.connectable) && (
        <div className="task-node-task">{data.task || 'no task type'}</div>
      )}
      {data.model && <div className="task-node-model">{data.model}</div>}
      {shown.length > 0 && (
        <ul className="task-node-problems">
          {shown.map(([label, labelSeverity]) => (
            <li key={label} className={`problem-${labelSeverity}`}>
              {label}
            </li>
          ))}
          {labels.size > 3 && <li>and {labels.size - 3} more</li>}
        </ul>
      )}
      <Handle
        type="source"
        position={Position.Right}
        isConnectable={data.connectable}
        aria-label={`Connect from ${data.nodeId}`}
      />
    </div>
  );
}
