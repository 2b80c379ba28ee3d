import { useEffect, useRef, useState } from 'react';
import type { WorkflowDefinition } from '@weft/core';
import { definitionText, parseDefinitionText } from './definition-text';
import { useTaskCatalogue } from '../task-catalogue';

/**
 * The JSON tab: the raw definition, editable. Every edit that parses to a definition is applied
 * at once (the canvas and the other tabs follow); text that does not parse stays here with the
 * reason, and the rest of the editor keeps the last definition that did.
 */
export function JsonTab({
  definition,
  onChange,
}: {
  definition: WorkflowDefinition;
  onChange: (definition: WorkflowDefinition) => void;
}) {
  const catalogue = useTaskCatalogue();
  const [text, setText] = useState(() => definitionText(definition));
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; message: string }>({
    kind: 'ok',
    message: 'In sync with the canvas.',
  });
  // The definition this text last produced: a change from elsewhere rewrites the text.
  const applied = useRef(definition);
  useEffect(() => {
    if (definition !== applied.current) {
      applied.current = definition;
      setText(definitionText(definition));
      setStatus({ kind: 'ok', message: 'In sync with the canvas.' });
    }
  }, [definition]);

  const edit = (next: string) => {
    setText(next);
    const parsed = parseDefinitionText(next, catalogue);
    if (!parsed.ok) {
      setStatus({ kind: 'error', message: parsed.message });
      return;
    }
    applied.current = parsed.definition;
    onChange(parsed.definition);
    setStatus({ kind: 'ok', message: parsed.note ?? 'Applied.' });
  };

  return (
    <div className="json-tab">
      <label htmlFor="definition-json">Workflow definition (JSON)</label>
      <textarea
        id="definition-json"
        className="mono json-editor"
        value={text}
        spellCheck={false}
        aria-describedby="definition-json-status"
        aria-invalid={status.kind === 'error'}
        onChange={(event) => edit(event.target.value)}
      />
      <p
        id="definition-json-status"
        className={status.kind === 'error' ? 'hint hint-error' : 'hint'}
        role="status"
      >
        {status.message}
      </p>
    </div>
  );
}
