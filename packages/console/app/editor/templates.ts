import { checkDefinition, type WorkflowDefinition, type WorkflowTemplate } from '@weft/core';

/**
 * A template's definition in the canonical (DAG) form the editor works on, as a fresh copy:
 * templates are frozen, and image-generate-v1 is written in the steps form.
 */
export function templateDefinition(template: WorkflowTemplate): WorkflowDefinition {
  const checked = checkDefinition(template.definition);
  const definition = checked.definition ?? (template.definition as WorkflowDefinition);
  return JSON.parse(JSON.stringify(definition)) as WorkflowDefinition;
}
