import { Type, type Static } from '@sinclair/typebox';
import { WORKFLOW_SLUG_PATTERN } from './names';
import { component } from './schema-kit';

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

/** The components of this module, by their names in the OpenAPI document. */
export const WORKFLOW_COMPONENTS = { Slug };
