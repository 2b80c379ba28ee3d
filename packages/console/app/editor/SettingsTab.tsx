import { useEffect, useState } from 'react';
import {
  PARAMETER_NAME_PATTERN,
  type InputParameter,
  type JsonValue,
  type ParameterType,
  type Region,
  type WorkflowDefinition,
} from '@weft/core';
import { DraftTextField } from './DraftTextField';
import { renameInputParameter, setInputParameters, updateSettings } from './definition-edits';
import { numberFieldValue, valueFieldText, valueFieldValue } from './field-kinds';
import { RequiredMark } from '../ui/RequiredMark';

const REGIONS: { value: Region; label: string }[] = [
  { value: 'global', label: 'Global' },
  { value: 'us', label: 'US' },
  { value: 'eu', label: 'EU' },
];

const TYPES: ParameterType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array'];
const PARAMETER_NAME = new RegExp(PARAMETER_NAME_PATTERN);

function ParameterNameField({
  name,
  taken,
  onRename,
  id,
}: {
  name: string;
  taken: (name: string) => boolean;
  onRename: (to: string) => void;
  id: string;
}) {
  const [draft, setDraft] = useState(name);
  useEffect(() => setDraft(name), [name]);
  const problem =
    draft === name
      ? undefined
      : !PARAMETER_NAME.test(draft)
        ? 'Letters, digits, _ and -, starting with a letter or _'
        : taken(draft)
          ? 'Another parameter has this name'
          : undefined;
  const commit = () => {
    if (draft !== name && problem === undefined) onRename(draft);
  };
  return (
    <div className="field">
      <label htmlFor={id}>Name</label>
      <input
        id={id}
        value={draft}
        aria-invalid={problem !== undefined}
        aria-describedby={`${id}-hint`}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit();
        }}
      />
      <p id={`${id}-hint`} className={problem ? 'hint hint-error' : 'hint'}>
        {problem ?? `Used as \${input.${name}}`}
      </p>
    </div>
  );
}

/** The default value's field, typed like the parameter. */
function DefaultField({
  id,
  parameter,
  onChange,
}: {
  id: string;
  parameter: InputParameter;
  onChange: (value: JsonValue | undefined) => void;
}) {
  if (parameter.type === 'boolean') {
    return (
      <select
        id={id}
        value={typeof parameter.default === 'boolean' ? String(parameter.default) : ''}
        onChange={(event) =>
          onChange(event.target.value === '' ? undefined : event.target.value === 'true')
        }
      >
        <option value="">(none)</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  }
  const numeric = parameter.type === 'number' || parameter.type === 'integer';
  return (
    <DraftTextField
      id={id}
      value={parameter.default}
      format={
        parameter.type === 'string'
          ? (value) => (typeof value === 'string' ? value : valueFieldText(value))
          : valueFieldText
      }
      parse={
        parameter.type === 'string'
          ? (text) => (text === '' ? undefined : text)
          : numeric
            ? numberFieldValue
            : valueFieldValue
      }
      onChange={onChange}
      inputMode={numeric ? 'decimal' : 'text'}
      className={parameter.type === 'object' || parameter.type === 'array' ? 'mono' : undefined}
    />
  );
}

/**
 * The Settings tab: name, description, region, timeout and the input parameters a run is
 * asked for; the slug while the workflow has not been saved yet.
 */
export function SettingsTab({
  definition,
  onChange,
  slug,
  slugEditable,
  onSlugChange,
  slugProblem,
}: {
  definition: WorkflowDefinition;
  onChange: (definition: WorkflowDefinition) => void;
  slug: string;
  slugEditable: boolean;
  onSlugChange: (slug: string) => void;
  slugProblem: string | undefined;
}) {
  const parameters = Object.entries(definition.input_parameters ?? {});
  const setParameter = (name: string, patch: Partial<InputParameter>) => {
    onChange(
      setInputParameters(
        definition,
        parameters.map(([other, parameter]) => {
          if (other !== name) return [other, parameter] as const;
          const next: Record<string, unknown> = { ...parameter };
          for (const [key, value] of Object.entries(patch)) {
            if (value === undefined) delete next[key];
            else next[key] = value;
          }
          return [other, next] as const;
        }),
      ),
    );
  };
  const addParameter = () => {
    let name = 'param';
    for (let n = 2; parameters.some(([other]) => other === name); n++) name = `param_${n}`;
    onChange(
      setInputParameters(definition, [...parameters, [name, { type: 'string', required: true }]]),
    );
  };

  return (
    <div className="settings-tab">
      <div className="field">
        <label htmlFor="settings-slug">Slug</label>
        <input
          id="settings-slug"
          value={slug}
          readOnly={!slugEditable}
          aria-invalid={slugProblem !== undefined}
          aria-describedby="settings-slug-hint"
          onChange={(event) => onSlugChange(event.target.value)}
        />
        <p id="settings-slug-hint" className={slugProblem ? 'hint hint-error' : 'hint'}>
          {slugProblem ??
            (slugEditable
              ? 'Names the workflow in URLs and API calls (workflowSlug); fixed once saved.'
              : 'Names the workflow in URLs and API calls (workflowSlug).')}
        </p>
      </div>
      <div className="field">
        <span>
          <label htmlFor="settings-name">Name</label>
          <RequiredMark />
        </span>
        <input
          id="settings-name"
          value={typeof definition.name === 'string' ? definition.name : ''}
          aria-required
          onChange={(event) => onChange(updateSettings(definition, { name: event.target.value }))}
        />
      </div>
      <div className="field">
        <label htmlFor="settings-description">Description</label>
        <textarea
          id="settings-description"
          rows={2}
          value={typeof definition.description === 'string' ? definition.description : ''}
          onChange={(event) =>
            onChange(updateSettings(definition, { description: event.target.value || undefined }))
          }
        />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="settings-region">Region</label>
          <select
            id="settings-region"
            value={definition.region ?? 'global'}
            aria-describedby="settings-region-hint"
            onChange={(event) => {
              const region = event.target.value as Region;
              onChange(
                updateSettings(definition, { region: region === 'global' ? undefined : region }),
              );
            }}
          >
            {REGIONS.map((region) => (
              <option key={region.value} value={region.value}>
                {region.label}
              </option>
            ))}
          </select>
          <p id="settings-region-hint" className="hint">
            Where the run’s jobs execute.
          </p>
        </div>
        <div className="field">
          <label htmlFor="settings-timeout">Timeout (seconds)</label>
          <DraftTextField
            id="settings-timeout"
            value={definition.timeout}
            format={(value) => (typeof value === 'number' ? String(value) : valueFieldText(value))}
            parse={numberFieldValue}
            onChange={(value) =>
              onChange(updateSettings(definition, { timeout: value as number | undefined }))
            }
            inputMode="decimal"
            describedBy="settings-timeout-hint"
          />
          <p id="settings-timeout-hint" className="hint">
            Runs longer than this are stopped. Empty: no limit.
          </p>
        </div>
      </div>

      <section aria-labelledby="parameters-heading" className="parameters">
        <h3 id="parameters-heading" className="subheading">
          Input parameters
        </h3>
        {parameters.length === 0 && (
          <p className="hint">
            None declared: each <code>{'${input.<name>}'}</code> used by a node is then a required
            parameter of any type.
          </p>
        )}
        {parameters.map(([name, parameter], index) => (
          <fieldset key={index} className="parameter">
            <legend>Parameter {name}</legend>
            <div className="field-row">
              <ParameterNameField
                id={`parameter-${index}-name`}
                name={name}
                taken={(other) => parameters.some(([existing]) => existing === other)}
                onRename={(to) => onChange(renameInputParameter(definition, name, to))}
              />
              <div className="field">
                <label htmlFor={`parameter-${index}-type`}>Type</label>
                <select
                  id={`parameter-${index}-type`}
                  value={parameter.type ?? ''}
                  onChange={(event) =>
                    setParameter(name, {
                      type: (event.target.value || undefined) as ParameterType | undefined,
                      default: undefined,
                    })
                  }
                >
                  <option value="">any</option>
                  {TYPES.map((type) => (
                    <option key={type} value={type}>
                      {type}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={parameter.required === true}
                onChange={(event) =>
                  setParameter(name, { required: event.target.checked ? true : undefined })
                }
              />
              Required
            </label>
            <div className="field">
              <label htmlFor={`parameter-${index}-default`}>Default</label>
              <DefaultField
                id={`parameter-${index}-default`}
                parameter={parameter}
                onChange={(value) => setParameter(name, { default: value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`parameter-${index}-description`}>Description</label>
              <input
                id={`parameter-${index}-description`}
                value={parameter.description ?? ''}
                onChange={(event) =>
                  setParameter(name, { description: event.target.value || undefined })
                }
              />
            </div>
            <button
              type="button"
              className="link-button"
              onClick={() =>
                onChange(
                  setInputParameters(
                    definition,
                    parameters.filter(([other]) => other !== name),
                  ),
                )
              }
            >
              Remove parameter {name}
            </button>
          </fieldset>
        ))}
        <button type="button" className="button button-small" onClick={addParameter}>
          Add parameter
        </button>
      </section>
    </div>
  );
}
