import { useRef, useState, type ReactNode } from 'react';
import {
  formatPath,
  type JsonSchema,
  type JsonValue,
  type PathSegment,
  type TaskType,
  type WorkflowDefinition,
} from '@weft/core';
import { DraftTextField } from './DraftTextField';
import {
  fieldKind,
  labelOf,
  numberFieldValue,
  singular,
  suggestionsOf,
  valueFieldText,
  valueFieldValue,
  type FieldKind,
} from './field-kinds';
import { insertAt, referenceChips, type ReferenceChip } from './reference-chips';
import { RequiredMark } from '../ui/RequiredMark';
import { useTaskCatalogue } from '../task-catalogue';

type TextElement = HTMLTextAreaElement & HTMLInputElement;

/** How each text-like kind turns typed text into a stored value and back. */
const TEXT_CODECS: Record<
  'text' | 'number' | 'value',
  {
    format: (value: JsonValue | undefined) => string;
    parse: (text: string) => JsonValue | undefined;
  }
> = {
  text: {
    format: (value) => (typeof value === 'string' ? value : valueFieldText(value)),
    parse: (text) => text,
  },
  number: {
    format: (value) =>
      typeof value === 'number' || typeof value === 'string'
        ? String(value)
        : valueFieldText(value),
    parse: numberFieldValue,
  },
  value: { format: valueFieldText, parse: valueFieldValue },
};

function domId(nodeId: string, path: readonly PathSegment[]): string {
  return `input-${nodeId}-${path.join('-')}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

function asRecord(value: unknown): Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, JsonValue>)
    : {};
}

/** A new item of a list field: required choices get their first option, required text ''. */
function newItem(schema: JsonSchema | undefined): Record<string, JsonValue> {
  const item: Record<string, JsonValue> = {};
  for (const name of schema?.required ?? []) {
    const field = schema?.properties?.[name];
    if (field?.enum !== undefined && field.enum[0] !== undefined) {
      // A chat message's role: the user's turn is what a new message usually is.
      item[name] = field.enum.includes('user') ? 'user' : field.enum[0];
    } else if (fieldKind(field) === 'text') item[name] = '';
  }
  return item;
}

function ReferenceChips({
  chips,
  onInsert,
  fieldLabel,
}: {
  chips: ReferenceChip[];
  onInsert: (chip: ReferenceChip) => void;
  fieldLabel: string;
}) {
  if (chips.length === 0) {
    return <p className="hint">No input parameter or upstream output fits this field.</p>;
  }
  return (
    <div className="chips" role="group" aria-label={`References for ${fieldLabel}`}>
      {chips.map((chip) => (
        <button
          key={chip.text}
          type="button"
          className={`chip chip-${chip.kind}`}
          title={`Insert ${chip.text}`}
          aria-label={`Insert ${chip.text}`}
          // Keep the field's selection: the chip is inserted where the cursor was.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => onInsert(chip)}
        >
          {chip.label}
        </button>
      ))}
    </div>
  );
}

/**
 * The payload of a node: one field per input its task type declares (typed from the schema),
 * then the inputs it does not declare. The field being edited shows the references that fit it
 * as chips; a click inserts `${…}` at the cursor.
 */
export function PayloadFields({
  definition,
  nodeId,
  taskType,
  inputs,
  onSetInput,
}: {
  definition: WorkflowDefinition;
  nodeId: string;
  taskType: TaskType | undefined;
  inputs: Record<string, JsonValue>;
  onSetInput: (path: PathSegment[], value: JsonValue | undefined) => void;
}) {
  const catalogue = useTaskCatalogue();
  const [active, setActive] = useState<string>();
  const elements = useRef(new Map<string, TextElement>());
  const [newField, setNewField] = useState('');
  const schema = taskType?.inputSchema;
  const declared = schema?.properties ?? {};

  const insert = (
    key: string,
    path: PathSegment[],
    codec: (typeof TEXT_CODECS)['text'],
    chip: ReferenceChip,
  ) => {
    const element = elements.current.get(key);
    if (!element) return;
    const { value, caret } = insertAt(
      element.value,
      chip.text,
      element.selectionStart ?? element.value.length,
      element.selectionEnd ?? element.value.length,
    );
    onSetInput(path, codec.parse(value));
    requestAnimationFrame(() => {
      element.focus();
      element.setSelectionRange(caret, caret);
    });
  };

  const renderField = (
    name: string,
    path: PathSegment[],
    fieldSchema: JsonSchema | undefined,
    value: JsonValue | undefined,
    required: boolean,
    removable: boolean,
  ): ReactNode => {
    const kind: FieldKind = fieldKind(fieldSchema);
    const id = domId(nodeId, path);
    const key = formatPath(path);
    const label = labelOf(name);
    const hintId = fieldSchema?.description ? `${id}-hint` : undefined;
    const header = (
      <div className="field-header">
        <span>
          <label htmlFor={id}>{label}</label>
          {required && <RequiredMark />}
        </span>
        {removable && (
          <button
            type="button"
            className="link-button"
            aria-label={`Remove ${label}`}
            onClick={() => onSetInput(path, undefined)}
          >
            Remove
          </button>
        )}
      </div>
    );
    const hint = hintId && (
      <p id={hintId} className="hint">
        {fieldSchema?.description}
      </p>
    );

    if (kind === 'object-list') {
      const items = Array.isArray(value) ? value : [];
      const itemSchema = fieldSchema?.items;
      return (
        <fieldset key={key} className="field field-list">
          <legend>{label}</legend>
          {hint}
          {items.map((item, index) => (
            <div key={index} className="list-item">
              <div className="list-item-header">
                <span>
                  {labelOf(singular(name))} {index + 1}
                </span>
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Remove ${singular(name)} ${index + 1}`}
                  onClick={() => onSetInput([...path, index], undefined)}
                >
                  Remove
                </button>
              </div>
              {Object.entries(itemSchema?.properties ?? {}).map(([childName, childSchema]) =>
                renderField(
                  childName,
                  [...path, index, childName],
                  childSchema,
                  asRecord(item)[childName],
                  itemSchema?.required?.includes(childName) ?? false,
                  false,
                ),
              )}
            </div>
          ))}
          <button
            type="button"
            className="button button-small"
            onClick={() => onSetInput([...path, items.length], newItem(itemSchema))}
          >
            Add {singular(name)}
          </button>
        </fieldset>
      );
    }

    if (kind === 'choice' || kind === 'boolean') {
      const options =
        kind === 'boolean' ? ['true', 'false'] : (fieldSchema?.enum ?? []).map(String);
      const current =
        typeof value === 'string' || typeof value === 'boolean'
          ? String(value)
          : valueFieldText(value);
      return (
        <div key={key} className="field">
          {header}
          <select
            id={id}
            value={current}
            aria-describedby={hintId}
            aria-required={required}
            onChange={(event) => {
              const text = event.target.value;
              if (text === '') onSetInput(path, undefined);
              else onSetInput(path, kind === 'boolean' ? text === 'true' : text);
            }}
          >
            <option value="">(not set)</option>
            {current !== '' && !options.includes(current) && (
              <option value={current}>{current}</option>
            )}
            {options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
          {hint}
        </div>
      );
    }

    const codec = TEXT_CODECS[kind];
    const suggestions = kind === 'value' ? suggestionsOf(fieldSchema) : [];
    const listId = suggestions.length > 0 ? `${id}-suggestions` : undefined;
    const long = kind === 'text' || (kind === 'value' && suggestions.length === 0);
    return (
      <div key={key} className={`field ${active === key ? 'is-active' : ''}`}>
        {header}
        <DraftTextField
          id={id}
          value={value}
          format={codec.format}
          parse={codec.parse}
          onChange={(next) => onSetInput(path, next)}
          multiline={long}
          rows={kind === 'text' && /prompt|content|input|text/.test(name) ? 3 : 1}
          inputMode={kind === 'number' ? 'decimal' : 'text'}
          describedBy={hintId}
          required={required}
          {...(listId === undefined ? {} : { list: listId })}
          className={kind === 'value' ? 'mono' : undefined}
          inputRef={(element) => {
            if (element) elements.current.set(key, element);
            else elements.current.delete(key);
          }}
          onFocus={() => setActive(key)}
        />
        {listId && (
          <datalist id={listId}>
            {suggestions.map((suggestion) => (
              <option key={suggestion} value={suggestion} />
            ))}
          </datalist>
        )}
        {hint}
        {active === key && (
          <ReferenceChips
            fieldLabel={label}
            chips={referenceChips(definition, nodeId, fieldSchema, catalogue)}
            onInsert={(chip) => insert(key, path, codec, chip)}
          />
        )}
      </div>
    );
  };

  const undeclared = Object.keys(inputs).filter((name) => !Object.hasOwn(declared, name));
  const open = schema === undefined || schema.additionalProperties !== false;
  const trimmed = newField.trim();
  return (
    <div className="payload">
      {Object.entries(declared).map(([name, fieldSchema]) =>
        renderField(
          name,
          [name],
          fieldSchema,
          inputs[name],
          schema?.required?.includes(name) ?? false,
          inputs[name] !== undefined && !(schema?.required?.includes(name) ?? false),
        ),
      )}
      {undeclared.length > 0 && <h4 className="subheading">Other inputs</h4>}
      {undeclared.map((name) => renderField(name, [name], undefined, inputs[name], false, true))}
      {open && (
        <form
          className="add-field"
          onSubmit={(event) => {
            event.preventDefault();
            if (trimmed === '' || Object.hasOwn(inputs, trimmed)) return;
            onSetInput([trimmed], '');
            setNewField('');
          }}
        >
          <label htmlFor={`add-field-${nodeId}`}>Add an input field</label>
          <div className="inline">
            <input
              id={`add-field-${nodeId}`}
              value={newField}
              placeholder="field name"
              onChange={(event) => setNewField(event.target.value)}
            />
            <button type="submit" className="button button-small" disabled={trimmed === ''}>
              Add
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
