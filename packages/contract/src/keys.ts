import { Type, type Static } from '@sinclair/typebox';
import { closedObject, component, dateTime, ref } from './schema-kit';

export const ApiKey = component(
  'ApiKey',
  closedObject(
    {
      id: Type.String({ description: '`key_…`.' }),
      prefix: Type.String({
        pattern: '^[0-9a-z]{8}$',
        description: 'The 8 characters after `weft_` in the key.',
      }),
      createdAt: dateTime('When it was created.'),
      lastUsedAt: Type.Optional(
        dateTime('When it was last used (updated at most once a minute); absent: never.'),
      ),
      revokedAt: Type.Optional(dateTime('When it was revoked; absent: it works.')),
    },
    { description: 'An API key as the API shows it: never the key itself.' },
  ),
);
export type ApiKey = Static<typeof ApiKey>;

export const CreatedApiKey = component(
  'CreatedApiKey',
  closedObject({
    key: ref(ApiKey),
    apiKey: Type.String({
      pattern: '^weft_',
      description: 'The key: shown this once, in this answer.',
    }),
  }),
);
export type CreatedApiKey = Static<typeof CreatedApiKey>;

/** The components of this module, by their names in the OpenAPI document. */
export const KEY_COMPONENTS = { ApiKey, CreatedApiKey };
