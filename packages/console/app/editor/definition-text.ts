import { checkDefinition, type TaskCatalogue, type WorkflowDefinition } from '@weft/core';
import { isEditableDefinition } from './definition-edits';

/** The definition as the JSON tab writes it. */
export function definitionText(definition: WorkflowDefinition): string {
  return JSON.stringify(definition, null, 2);
}

/** What the JSON tab's text means: a definition to apply, or why not. */
export type ParsedDefinitionText =
  { ok: true; definition: WorkflowDefinition; note?: string } | { ok: false; message: string };

/**
 * Reads the JSON tab's text: the canonical form as it is, the steps form converted (when it
 * validates against `catalogue`'s task types).
 */
export function parseDefinitionText(text: string, catalogue: TaskCatalogue): ParsedDefinitionText {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${(error as Error).message}` };
  }
  if (isEditableDefinition(value)) return { ok: true, definition: value };
  if (typeof value === 'object' && value !== null && 'steps' in value) {
    const checked = checkDefinition(value, catalogue);
    if (checked.definition) {
      return {
        ok: true,
        definition: checked.definition,
        note: 'Converted from the steps form to the DAG form.',
      };
    }
    return {
      ok: false,
      message: `A steps-form document with errors: ${checked.diagnostics.errors[0]?.message ?? 'see the validator'}`,
    };
  }
  return {
    ok: false,
    message:
      'The canvas needs {"name": …, "dag": {"nodes": {<id>: {…}}, "edges": [{"from", "to"}]}}',
  };
}
