import { Type, type Static } from '@sinclair/typebox';
import { DIAGNOSTIC_CODES, type DiagnosticCode } from './diagnostic-codes';
import { closedObject, component, ref, stringEnum } from './schema-kit';

const diagnosticCodes = Object.keys(DIAGNOSTIC_CODES) as DiagnosticCode[];

export const Diagnostic = component(
  'Diagnostic',
  closedObject(
    {
      code: stringEnum(diagnosticCodes),
      message: Type.String(),
      node: Type.Optional(Type.String({ description: 'The node (or step) the finding is about.' })),
      field: Type.Optional(
        Type.String({
          description: 'The input field it is about, e.g. `messages[1].content` or `model_id`.',
        }),
      ),
      path: Type.Optional(
        Type.String({ description: 'A JSON pointer into the document as it was sent.' }),
      ),
    },
    { description: 'One finding about a definition or a run input.' },
  ),
);
export type Diagnostic = Static<typeof Diagnostic>;

export const Diagnostics = component(
  'Diagnostics',
  closedObject(
    {
      errors: Type.Array(ref(Diagnostic), {
        description: 'Findings that block saving or running (422).',
      }),
      type_issues: Type.Array(ref(Diagnostic)),
      warnings: Type.Array(ref(Diagnostic)),
    },
    { description: 'Findings about a definition; only `errors` make the answer 422.' },
  ),
);
export type Diagnostics = Static<typeof Diagnostics>;

/** The components of this module, by their names in the OpenAPI document. */
export const DIAGNOSTIC_COMPONENTS = { Diagnostic, Diagnostics };
