import { Type, type Static } from '@sinclair/typebox';
import { closedObject, component } from './schema-kit';

export const RequestIssue = component(
  'RequestIssue',
  closedObject(
    {
      path: Type.String({
        description:
          'A JSON pointer into the body, or `query:<name>`, `param:<name>`, `path:<name>`, `header:<name>`.',
      }),
      message: Type.String(),
    },
    { description: 'One problem with a request.' },
  ),
);
export type RequestIssue = Static<typeof RequestIssue>;

/** The components of this module, by their names in the OpenAPI document. */
export const ERROR_COMPONENTS = { RequestIssue };
