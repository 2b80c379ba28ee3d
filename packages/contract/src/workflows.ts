import { Type, type Static } from '@sinclair/typebox';
import { Diagnostics } from './diagnostics';
import { WORKFLOW_SLUG_PATTERN } from './names';
import { anyObject, closedObject, component, dateTime, nullable, ref } from './schema-kit';

export const Slug = component(
  'Slug',
  Type.String({
    pattern: WORKFLOW_SLUG_PATTERN,
    // Read after "must be" in a 400's issue, and as the documentation of the form.
    description:
      'lowercase letters, digits, "-" or "_" (at most 64, e.g. "image-generate-v1"); `run` and `runs` are reserved',
  }),
);
export type Slug = Static<typeof Slug>;

/**
 * A definition in the canonical form. Its full schema is core's, which validates definitions
 * (`CANONICAL_DEFINITION_SCHEMA`): the OpenAPI document puts that one under this name. To the
 * contract's readers it is a JSON object.
 */
export const WorkflowDefinition = component(
  'WorkflowDefinition',
  anyObject({
    description:
      'The canonical (DAG) form of a workflow definition; every definition is stored and shown in it.',
  }),
);

/** A definition in the steps form; its full schema is core's `STEPS_DEFINITION_SCHEMA`. */
export const StepsDefinition = component(
  'StepsDefinition',
  anyObject({
    description:
      'The steps form of a definition (camelCase), accepted and normalized to the DAG form.',
  }),
);

/** A definition as sent, in either form: checked as a definition after the request (422). */
export const definitionSent = (description: string) =>
  anyObject({
    description: `${description}, in either form (\`WorkflowDefinition\` or \`StepsDefinition\`); one with errors is answered 422 \`invalid_definition\`.`,
  });

export const WorkflowSummary = component(
  'WorkflowSummary',
  closedObject(
    {
      id: nullable(Type.String({ description: '`wf_…`; `null` for a built-in template.' })),
      slug: ref(Slug),
      name: Type.String(),
      description: nullable(Type.String()),
      latestVersion: Type.Integer({ minimum: 1 }),
      builtIn: Type.Boolean(),
      createdAt: nullable(dateTime('`null` for a built-in template.')),
      updatedAt: nullable(dateTime('`null` for a built-in template.')),
    },
    { description: "A workflow as listed: the app's own, or a built-in template." },
  ),
);
export type WorkflowSummary = Static<typeof WorkflowSummary>;

const versionSummaryProperties = {
  id: nullable(Type.String({ description: '`wf_…`; `null` for a built-in template.' })),
  slug: ref(Slug),
  version: Type.Integer({ minimum: 1 }),
  name: Type.String(),
  description: nullable(Type.String()),
  builtIn: Type.Boolean({ description: 'True for a built-in template (version 1, immutable).' }),
  createdAt: nullable(dateTime('When the version was saved; `null` for a built-in template.')),
};

export const WorkflowVersionSummary = component(
  'WorkflowVersionSummary',
  closedObject(versionSummaryProperties, {
    description: 'One immutable version, without its definition.',
  }),
);
export type WorkflowVersionSummary = Static<typeof WorkflowVersionSummary>;

export const WorkflowVersion = component(
  'WorkflowVersion',
  closedObject(
    { ...versionSummaryProperties, definition: ref(WorkflowDefinition) },
    { description: 'One immutable version with its definition (canonical form).' },
  ),
);
export type WorkflowVersion = Static<typeof WorkflowVersion>;

/** `POST /v1/workflows`. */
export const SaveWorkflowRequest = component(
  'SaveWorkflowRequest',
  closedObject({
    // The slug's schema itself, not a reference: the gateway validates with this schema alone.
    slug: Slug,
    definition: definitionSent('The definition'),
  }),
);
export type SaveWorkflowRequest = Static<typeof SaveWorkflowRequest>;

export const SavedWorkflow = component(
  'SavedWorkflow',
  closedObject(
    { workflow: ref(WorkflowVersionSummary), diagnostics: ref(Diagnostics) },
    { description: 'The new version, and the findings that did not block it.' },
  ),
);
export type SavedWorkflow = Static<typeof SavedWorkflow>;

/** The components of this module, by their names in the OpenAPI document. */
export const WORKFLOW_COMPONENTS = {
  Slug,
  WorkflowDefinition,
  StepsDefinition,
  WorkflowSummary,
  WorkflowVersionSummary,
  WorkflowVersion,
  SaveWorkflowRequest,
  SavedWorkflow,
};
