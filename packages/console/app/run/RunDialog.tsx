import { useState, type FormEvent } from 'react';
import {
  inputParametersOf,
  validateRunInput,
  type InputParameter,
  type JsonValue,
  type WorkflowDefinition,
} from '@weft/core';
import { numberFieldValue, valueFieldText, valueFieldValue } from '../editor/field-kinds';
import { Dialog } from '../ui/Dialog';
import { RequiredMark } from '../ui/RequiredMark';

function initialText(parameter: InputParameter): string {
  if (parameter.default === undefined) return '';
  return typeof parameter.default === 'string'
    ? parameter.default
    : valueFieldText(parameter.default);
}

/** The run input a parameter's field holds; undefined leaves it out (its default applies). */
function fieldValue(parameter: InputParameter, text: string): JsonValue | undefined {
  switch (parameter.type) {
    case 'string':
      return text === '' && parameter.default === undefined && !parameter.required
        ? undefined
        : text;
    case 'number':
    case 'integer':
      return numberFieldValue(text);
    case 'boolean':
      return text === '' ? undefined : text === 'true';
    default:
      return valueFieldValue(text);
  }
}

/**
 * Asks for each input parameter (typed fields, defaults filled in), checks the input with
 * core's run-input check, and hands it to `onStart`.
 */
export function RunDialog({
  definition,
  open,
  onClose,
  onStart,
  busy,
  error,
  note,
}: {
  definition: WorkflowDefinition;
  open: boolean;
  onClose: () => void;
  onStart: (input: Record<string, unknown>) => void;
  busy: boolean;
  error: string | undefined;
  note: string | undefined;
}) {
  const { parameters } = inputParametersOf(definition);
  const entries = Object.entries(parameters);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [issues, setIssues] = useState<string[]>([]);
  const textOf = (name: string, parameter: InputParameter) => texts[name] ?? initialText(parameter);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input: Record<string, unknown> = {};
    for (const [name, parameter] of entries) {
      const value = fieldValue(parameter, textOf(name, parameter));
      if (value !== undefined) input[name] = value;
    }
    const checked = validateRunInput(definition, input);
    if (!checked.ok) {
      setIssues(checked.details.map((detail) => detail.message));
      return;
    }
    setIssues([]);
    onStart(input);
  };

  return (
    <Dialog title={`Run ${definition.name}`} open={open} onClose={onClose} className="run-dialog">
      <form onSubmit={submit}>
        {entries.length === 0 && <p>This workflow takes no input parameters.</p>}
        {entries.map(([name, parameter]) => {
          const id = `run-input-${name}`;
          const hintId = `${id}-hint`;
          const text = textOf(name, parameter);
          const set = (value: string) => setTexts((current) => ({ ...current, [name]: value }));
          const hint = [
            parameter.type ?? 'any JSON value',
            parameter.required ? 'required' : 'optional',
            parameter.default !== undefined ? `default ${JSON.stringify(parameter.default)}` : '',
            parameter.description ?? '',
          ]
            .filter((part) => part !== '')
            .join(' · ');
          return (
            <div key={name} className="field">
              <span>
                <label htmlFor={id}>{name}</label>
                {parameter.required && <RequiredMark />}
              </span>
              {parameter.enum !== undefined ? (
                <select
                  id={id}
                  value={text}
                  aria-describedby={hintId}
                  onChange={(event) => set(event.target.value)}
                >
                  <option value="">(choose)</option>
                  {parameter.enum.map((option) => (
                    <option key={JSON.stringify(option)} value={valueFieldText(option)}>
                      {valueFieldText(option)}
                    </option>
                  ))}
                </select>
              ) : parameter.type === 'boolean' ? (
                <select
                  id={id}
                  value={text}
                  aria-describedby={hintId}
                  onChange={(event) => set(event.target.value)}
                >
                  <option value="">(not set)</option>
                  <option value="true">true</option>
                  <option value="false">false</option>
                </select>
              ) : parameter.type === 'string' || parameter.type === undefined ? (
                <textarea
                  id={id}
                  rows={parameter.type === 'string' ? 2 : 3}
                  value={text}
                  aria-describedby={hintId}
                  aria-required={parameter.required === true}
                  className={parameter.type === undefined ? 'mono' : undefined}
                  onChange={(event) => set(event.target.value)}
                />
              ) : (
                <input
                  id={id}
                  value={text}
                  inputMode={
                    parameter.type === 'number' || parameter.type === 'integer' ? 'decimal' : 'text'
                  }
                  aria-describedby={hintId}
                  aria-required={parameter.required === true}
                  className={
                    parameter.type === 'object' || parameter.type === 'array' ? 'mono' : undefined
                  }
                  onChange={(event) => set(event.target.value)}
                />
              )}
              <p id={hintId} className="hint">
                {hint}
              </p>
            </div>
          );
        })}
        {note && <p className="hint">{note}</p>}
        {(issues.length > 0 || error) && (
          <div className="alert alert-error" role="alert">
            {[...issues, ...(error ? [error] : [])].map((message) => (
              <p key={message}>{message}</p>
            ))}
          </div>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Starting…' : 'Start run'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
