import { useEffect, useState } from 'react';
import {
  NODE_ID_PATTERN,
  type JsonValue,
  type TaskCatalogue,
  type TaskCategory,
  type WorkflowDefinition,
} from '@weft/core';
import { useTaskCatalogue } from '../task-catalogue';
import {
  addEdge,
  removeEdge,
  removeNode,
  renameNode,
  setNodeInput,
  updateNode,
} from './definition-edits';
import type { GraphProblems, Problem } from './graph-problems';
import { PayloadFields } from './PayloadFields';
import { ProblemItems } from './ProblemList';

const CATEGORY_NAMES: Record<TaskCategory, string> = {
  text: 'Text',
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  safety: 'Safety',
  data: 'Data',
  integration: 'Integration',
  control: 'Control',
  custom: 'Custom',
};

const NODE_ID = new RegExp(NODE_ID_PATTERN);

/** Task types grouped by category, in the catalogue's order (registered ones last). */
function groupedTaskTypes(catalogue: TaskCatalogue) {
  const groups = new Map<TaskCategory, string[]>();
  for (const name of catalogue.names()) {
    const taskType = catalogue.get(name);
    if (taskType === undefined) continue;
    const list = groups.get(taskType.category) ?? [];
    list.push(taskType.name);
    groups.set(taskType.category, list);
  }
  return [...groups];
}

function NodeIdField({
  definition,
  nodeId,
  onRename,
}: {
  definition: WorkflowDefinition;
  nodeId: string;
  onRename: (to: string) => void;
}) {
  const [draft, setDraft] = useState(nodeId);
  useEffect(() => setDraft(nodeId), [nodeId]);
  const problem =
    draft === nodeId
      ? undefined
      : !NODE_ID.test(draft)
        ? 'Use letters, digits, _ and -, starting with a letter or _ (at most 64).'
        : Object.hasOwn(definition.dag.nodes, draft)
          ? `There is already a node "${draft}".`
          : undefined;
  const commit = () => {
    if (draft !== nodeId && problem === undefined) onRename(draft);
  };
  return (
    <div className="field">
      <label htmlFor="node-id">Node id</label>
      <input
        id="node-id"
        value={draft}
        aria-invalid={problem !== undefined}
        aria-describedby="node-id-hint"
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit();
          if (event.key === 'Escape') setDraft(nodeId);
        }}
      />
      <p id="node-id-hint" className={problem ? 'hint hint-error' : 'hint'}>
        {problem ?? 'References to it (${nodes.<id>.result…}) are renamed with it.'}
      </p>
    </div>
  );
}

/**
 * The Node tab: the selected node's id, task type, model (only the task's models), the nodes
 * it runs after, its problems and its payload fields.
 */
export function NodeTab({
  definition,
  nodeId,
  problems,
  onChange,
  onSelectNode,
}: {
  definition: WorkflowDefinition;
  nodeId: string;
  problems: GraphProblems;
  onChange: (definition: WorkflowDefinition) => void;
  onSelectNode: (id: string | undefined) => void;
}) {
  const catalogue = useTaskCatalogue();
  const node = definition.dag.nodes[nodeId];
  if (node === undefined) return null;
  const task = typeof node.task === 'string' ? node.task : '';
  const taskType = catalogue.get(task);
  const model = typeof node.model_id === 'string' ? node.model_id : '';
  // The JSON tab may have put anything in `inputs`.
  const inputs: Record<string, JsonValue> =
    typeof node.inputs === 'object' && node.inputs !== null ? node.inputs : {};
  const others = Object.keys(definition.dag.nodes).filter((id) => id !== nodeId);
  const upstream = new Set(
    definition.dag.edges.filter((edge) => edge.to === nodeId).map((edge) => edge.from),
  );
  const own: Problem[] = problems.byNode.get(nodeId) ?? [];

  const setTask = (next: string) => {
    const nextType = catalogue.get(next);
    // Keep the model if the new task type takes it; otherwise the validator asks for one.
    const keepModel =
      nextType !== undefined && (nextType.models.length === 0 || nextType.models.includes(model));
    onChange(
      updateNode(definition, nodeId, {
        task: next,
        model_id: keepModel && model !== '' ? model : undefined,
      }),
    );
  };

  return (
    <div className="node-tab">
      <NodeIdField
        definition={definition}
        nodeId={nodeId}
        onRename={(to) => {
          onChange(renameNode(definition, nodeId, to));
          onSelectNode(to);
        }}
      />

      <div className="field">
        <label htmlFor="node-task">Task type</label>
        <select
          id="node-task"
          value={task}
          aria-describedby="node-task-hint"
          onChange={(event) => setTask(event.target.value)}
        >
          {taskType === undefined && <option value={task}>{task || '(choose a task type)'}</option>}
          {groupedTaskTypes(catalogue).map(([category, names]) => (
            <optgroup key={category} label={CATEGORY_NAMES[category]}>
              {names.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <p id="node-task-hint" className="hint">
          {taskType?.description ?? 'Not a known task type.'}
        </p>
      </div>

      <div className="field">
        <label htmlFor="node-model">Model</label>
        {taskType !== undefined && taskType.models.length > 0 ? (
          <select
            id="node-model"
            value={model}
            aria-describedby="node-model-hint"
            onChange={(event) =>
              onChange(
                updateNode(definition, nodeId, { model_id: event.target.value || undefined }),
              )
            }
          >
            <option value="">(choose a model)</option>
            {model !== '' && !taskType.models.includes(model) && (
              <option value={model}>{model} (not compatible)</option>
            )}
            {taskType.models.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        ) : (
          <input
            id="node-model"
            value={model}
            placeholder={taskType?.needsModel ? 'model id' : 'the app’s default model'}
            aria-describedby="node-model-hint"
            onChange={(event) =>
              onChange(
                updateNode(definition, nodeId, { model_id: event.target.value || undefined }),
              )
            }
          />
        )}
        <p id="node-model-hint" className="hint">
          {taskType === undefined
            ? 'Choose a task type first.'
            : taskType.models.length > 0
              ? `Models compatible with ${taskType.name}.`
              : taskType.needsModel
                ? 'Any model id the provider knows.'
                : 'Optional: without one, the app’s default model is used.'}
        </p>
      </div>

      {others.length > 0 && (
        <fieldset className="field">
          <legend>Runs after</legend>
          <div className="checkbox-list">
            {others.map((id) => (
              <label key={id} className="checkbox">
                <input
                  type="checkbox"
                  checked={upstream.has(id)}
                  onChange={(event) =>
                    onChange(
                      event.target.checked
                        ? addEdge(definition, id, nodeId)
                        : removeEdge(definition, id, nodeId),
                    )
                  }
                />
                {id}
              </label>
            ))}
          </div>
        </fieldset>
      )}

      {own.length > 0 && (
        <section className="node-problems" aria-label={`Problems of ${nodeId}`}>
          <h3 className="subheading">Problems</h3>
          <ProblemItems problems={own} />
        </section>
      )}

      <section aria-labelledby="payload-heading">
        <h3 id="payload-heading" className="subheading">
          Payload
        </h3>
        <PayloadFields
          definition={definition}
          nodeId={nodeId}
          taskType={taskType}
          inputs={inputs}
          onSetInput={(path, value) => onChange(setNodeInput(definition, nodeId, path, value))}
        />
      </section>

      <div className="danger-zone">
        <button
          type="button"
          className="button button-danger"
          onClick={() => {
            onChange(removeNode(definition, nodeId));
            onSelectNode(undefined);
          }}
        >
          Delete node {nodeId}
        </button>
      </div>
    </div>
  );
}
