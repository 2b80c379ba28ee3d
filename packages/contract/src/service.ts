import { Type, type Static } from '@sinclair/typebox';
import { closedObject, component, dictionaryOf, stringEnum } from './schema-kit';

export const Health = component('Health', closedObject({ status: Type.Literal('ok') }));
export type Health = Static<typeof Health>;

export const Readiness = component(
  'Readiness',
  closedObject(
    {
      status: stringEnum(['ready', 'unready']),
      checks: dictionaryOf(Type.String(), {
        description: 'Each dependency checked (database, broker…): `ok`, or why it is not.',
      }),
    },
    { description: 'Whether the gateway can serve: every check passed.' },
  ),
);
export type Readiness = Static<typeof Readiness>;

/** The components of this module, by their names in the OpenAPI document. */
export const SERVICE_COMPONENTS = { Health, Readiness };
