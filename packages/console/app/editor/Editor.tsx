import { useCallback, useEffect, useMemo, useState } from 'react';
import { checkDefinition, type WorkflowDefinition } from '@weft/core';
import { WeftApiError } from '@weft/client';
import { errorMessage, useApi } from '../api-context';
import { WorkflowGraph } from '../graph/WorkflowGraph';
import { Link, useNavigation } from '../navigation';
import { RunDialog } from '../run/RunDialog';
import { Tabs } from '../ui/Tabs';
import {
  addEdge,
  addNode,
  freeNodeId,
  freeSlug,
  removeEdge,
  removeNode,
  slugFromName,
} from './definition-edits';
import { edgeKey, placeProblems } from './graph-problems';
import { JsonTab } from './JsonTab';
import { NodeTab } from './NodeTab';
import { ProblemItems, ProblemPanel } from './ProblemList';
import { SettingsTab } from './SettingsTab';
import { useTaskCatalogue } from '../task-catalogue';
import { WORKFLOW_SLUG } from './slug';

/** What the editor opens with. */
export interface EditorStart {
  definition: WorkflowDefinition;
  /** The saved workflow's slug; absent for a new one (then it follows the name). */
  slug?: string;
  /** The version opened; absent when nothing is saved yet. */
  savedVersion?: number;
  /** A built-in template opened as a workflow: saving makes it the app's own. */
  builtIn?: boolean;
}

type TabId = 'node' | 'json' | 'settings';

const RESERVED_SLUGS = new Set(['run', 'runs']);

function slugProblemOf(slug: string): string | undefined {
  if (!WORKFLOW_SLUG.test(slug)) {
    return 'Lowercase letters, digits, - and _ (not at the ends), at most 64 characters.';
  }
  return RESERVED_SLUGS.has(slug) ? `"${slug}" is reserved.` : undefined;
}

/**
 * The workflow editor: the canvas with live validation, the Node, JSON and Settings tabs, Save
 * (a new version each time) and Run.
 */
export function Editor({
  start,
  takenSlugs,
  onSaved,
}: {
  start: EditorStart;
  takenSlugs: ReadonlySet<string>;
  onSaved: (slug: string, version: number) => void;
}) {
  const api = useApi();
  const { navigate, setLeaveQuestion } = useNavigation();
  const [definition, setDefinition] = useState(start.definition);
  const [savedVersion, setSavedVersion] = useState(start.savedVersion);
  const [slugEditable, setSlugEditable] = useState(
    start.slug === undefined || start.builtIn === true,
  );
  const [typedSlug, setTypedSlug] = useState<string | undefined>(
    start.builtIn ? undefined : start.slug,
  );
  // Not saved as it is: a new workflow, a built-in opened, or anything changed since the save.
  const [dirty, setDirty] = useState(start.savedVersion === undefined || start.builtIn === true);
  // Changed by the user since opening or saving: what leaving would lose.
  const [edited, setEdited] = useState(false);
  const [selectedNode, setSelectedNode] = useState<string>();
  const [selectedEdge, setSelectedEdge] = useState<string>();
  const [tab, setTab] = useState<TabId>('node');
  const [layoutRequest, setLayoutRequest] = useState(0);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const [runOpen, setRunOpen] = useState(false);
  const [runBusy, setRunBusy] = useState(false);
  const [runError, setRunError] = useState<string>();

  const name = typeof definition.name === 'string' ? definition.name : '';
  // Until the user types a slug, a new workflow's slug follows its name.
  const slug =
    typedSlug ?? freeSlug(slugFromName(name || 'workflow'), slugEditable ? takenSlugs : new Set());
  const slugProblem = slugEditable ? slugProblemOf(slug) : undefined;

  const catalogue = useTaskCatalogue();
  const checked = useMemo(() => checkDefinition(definition, catalogue), [definition, catalogue]);
  const problems = useMemo(
    () => placeProblems(definition, checked.diagnostics),
    [definition, checked],
  );
  const errorCount = checked.diagnostics.errors.length;

  const change = useCallback((next: WorkflowDefinition) => {
    setDefinition(next);
    setDirty(true);
    setEdited(true);
    setMessage(undefined);
  }, []);

  const selectNode = useCallback((id: string | undefined) => {
    setSelectedNode(id);
    if (id !== undefined) {
      setSelectedEdge(undefined);
      setTab('node');
    }
  }, []);
  const selectEdge = useCallback((key: string | undefined) => {
    setSelectedEdge(key);
    if (key !== undefined) {
      setSelectedNode(undefined);
      setTab('node');
    }
  }, []);

  // Unsaved changes: leaving by a link asks first, and so does closing or reloading the tab.
  useEffect(() => {
    if (!edited) return;
    setLeaveQuestion('This workflow has unsaved changes. Leave it and lose them?');
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => {
      setLeaveQuestion(undefined);
      window.removeEventListener('beforeunload', warn);
    };
  }, [edited, setLeaveQuestion]);

  const edgeByKey = (key: string) =>
    definition.dag.edges.find((edge) => edgeKey(edge.from, edge.to) === key);

  const save = async (): Promise<number | undefined> => {
    if (slugProblem || errorCount > 0) return undefined;
    setSaving(true);
    setMessage(undefined);
    try {
      const saved = await api.saveWorkflow(slug, definition);
      const version = saved.workflow.version;
      setSavedVersion(version);
      setDirty(false);
      setEdited(false);
      setSlugEditable(false);
      setTypedSlug(slug);
      setMessage({ kind: 'ok', text: `Saved version ${version} of ${slug}.` });
      onSaved(slug, version);
      return version;
    } catch (error) {
      const details =
        error instanceof WeftApiError && error.code === 'invalid_definition'
          ? ` ${(
              (error.details.diagnostics as { errors?: { message: string }[] } | undefined)
                ?.errors ?? []
            )
              .map((d) => d.message)
              .join(' ')}`
          : '';
      setMessage({ kind: 'error', text: `Not saved: ${errorMessage(error)}${details}` });
      return undefined;
    } finally {
      setSaving(false);
    }
  };

  const startRun = async (input: Record<string, unknown>) => {
    setRunBusy(true);
    setRunError(undefined);
    try {
      const version = dirty || savedVersion === undefined ? await save() : savedVersion;
      if (version === undefined) {
        setRunError('The workflow could not be saved; see the message in the toolbar.');
        return;
      }
      const started = await api.startRun(slug, version, input);
      setRunOpen(false);
      navigate({ page: 'run', runId: started.runId }, { force: true });
    } catch (error) {
      setRunError(errorMessage(error));
    } finally {
      setRunBusy(false);
    }
  };

  const addNewNode = () => {
    const id = freeNodeId(definition);
    change(addNode(definition, id, { task: 'openai/chat-completion', inputs: {} }));
    selectNode(id);
    requestAnimationFrame(() => document.getElementById('node-task')?.focus());
  };

  const saveBlocked =
    errorCount > 0
      ? `Fix ${errorCount} error${errorCount === 1 ? '' : 's'} to save`
      : slugProblem
        ? 'Fix the slug in Settings to save'
        : undefined;

  const selectedEdgeValue = selectedEdge === undefined ? undefined : edgeByKey(selectedEdge);
  const nodePanel =
    selectedNode !== undefined && definition.dag.nodes[selectedNode] !== undefined ? (
      <NodeTab
        key={selectedNode}
        definition={definition}
        nodeId={selectedNode}
        problems={problems}
        onChange={change}
        onSelectNode={selectNode}
      />
    ) : selectedEdgeValue !== undefined && selectedEdge !== undefined ? (
      <div className="edge-panel">
        <h3 className="subheading">
          Edge {selectedEdgeValue.from} → {selectedEdgeValue.to}
        </h3>
        <p className="hint">
          {selectedEdgeValue.to} runs after {selectedEdgeValue.from} completes.
        </p>
        {(problems.byEdge.get(selectedEdge) ?? []).length > 0 && (
          <ProblemItems problems={problems.byEdge.get(selectedEdge) ?? []} />
        )}
        <button
          type="button"
          className="button button-danger"
          onClick={() => {
            change(removeEdge(definition, selectedEdgeValue.from, selectedEdgeValue.to));
            setSelectedEdge(undefined);
          }}
        >
          Delete edge
        </button>
      </div>
    ) : (
      <div className="node-overview">
        <p className="hint">
          Select a node on the canvas to configure it, or add one. Drag from a node’s right handle
          to another node to connect them.
        </p>
        {Object.keys(definition.dag.nodes).length > 0 && (
          <ul className="node-buttons" aria-label="Nodes">
            {Object.keys(definition.dag.nodes).map((id) => (
              <li key={id}>
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => selectNode(id)}
                >
                  {id}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    );

  return (
    <div
      className="editor"
      onKeyDown={(event) => {
        if ((event.ctrlKey || event.metaKey) && event.key === 's') {
          event.preventDefault();
          void save();
        }
      }}
    >
      <header className="editor-toolbar">
        <div className="editor-title">
          <h1>{name || 'Untitled workflow'}</h1>
          <span className="muted">
            {slug}
            {savedVersion !== undefined && ` · version ${savedVersion}`}
            {start.builtIn && ' · built-in template'}
            {dirty && <span className="unsaved"> · unsaved changes</span>}
          </span>
        </div>
        <div className="toolbar-actions">
          <button type="button" className="button" onClick={addNewNode}>
            Add node
          </button>
          <button type="button" className="button" onClick={() => setLayoutRequest((n) => n + 1)}>
            Auto-layout
          </button>
          {savedVersion !== undefined && !slugEditable && (
            <Link className="button" to={{ page: 'runs', slug }}>
              Runs
            </Link>
          )}
          <button
            type="button"
            className="button"
            onClick={() => void save()}
            disabled={saving || saveBlocked !== undefined || (!dirty && savedVersion !== undefined)}
            title={saveBlocked}
          >
            {saving ? 'Saving…' : 'Save'}
          </button>
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setRunError(undefined);
              setRunOpen(true);
            }}
            disabled={saveBlocked !== undefined}
            title={saveBlocked}
          >
            Run
          </button>
        </div>
      </header>
      {(message || saveBlocked) && (
        <p
          className={`toolbar-message ${message?.kind === 'error' ? 'alert-error' : message ? 'alert-ok' : 'muted'}`}
          role="status"
        >
          {message?.text ?? saveBlocked}
        </p>
      )}
      <div className="editor-body">
        <div className="editor-canvas-column">
          <div className="canvas">
            <WorkflowGraph
              definition={definition}
              problems={problems}
              editable
              selectedNode={selectedNode}
              selectedEdge={selectedEdge}
              onSelectNode={selectNode}
              onSelectEdge={selectEdge}
              onConnect={(from, to) => change(addEdge(definition, from, to))}
              onRemoveNodes={(ids) => {
                let next = definition;
                for (const id of ids) next = removeNode(next, id);
                change(next);
                setSelectedNode(undefined);
              }}
              onRemoveEdges={(keys) => {
                let next = definition;
                for (const key of keys) {
                  const edge = edgeByKey(key);
                  if (edge) next = removeEdge(next, edge.from, edge.to);
                }
                change(next);
                setSelectedEdge(undefined);
              }}
              layoutRequest={layoutRequest}
              label="Workflow canvas"
            />
          </div>
          <ProblemPanel problems={problems} onSelectNode={selectNode} />
        </div>
        <aside className="editor-panel" aria-label="Configuration">
          <Tabs<TabId>
            label="Configuration"
            idPrefix="editor"
            selected={tab}
            onSelect={setTab}
            tabs={[
              { id: 'node', label: 'Node', panel: nodePanel },
              {
                id: 'json',
                label: 'JSON',
                panel: <JsonTab definition={definition} onChange={change} />,
              },
              {
                id: 'settings',
                label: 'Settings',
                panel: (
                  <SettingsTab
                    definition={definition}
                    onChange={change}
                    slug={slug}
                    slugEditable={slugEditable}
                    onSlugChange={setTypedSlug}
                    slugProblem={slugProblem}
                  />
                ),
              },
            ]}
          />
        </aside>
      </div>
      <RunDialog
        key={runOpen ? 'open' : 'closed'}
        definition={definition}
        open={runOpen}
        onClose={() => setRunOpen(false)}
        onStart={(input) => void startRun(input)}
        busy={runBusy}
        error={runError}
        note={
          dirty || savedVersion === undefined
            ? 'Your changes are saved as a new version first.'
            : `Runs version ${savedVersion}.`
        }
      />
    </div>
  );
}
