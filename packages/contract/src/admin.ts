import { Type, type Static } from '@sinclair/typebox';
import { ApiKey } from './keys';
import { DISPLAY_NAME_PATTERN, DISPLAY_TEXT_RULE, MAX_APP_NAME_LENGTH } from './names';
import { closedObject, component, dateTime, ref } from './schema-kit';

// What operators see at `/v1/admin`: apps and their keys, across every app.

export const App = component(
  'App',
  closedObject(
    {
      id: Type.String({ description: '`app_…`.' }),
      name: Type.String(),
      createdAt: dateTime('When it was created.'),
    },
    { description: 'An app: the tenant every workflow, run and API key belongs to.' },
  ),
);
export type App = Static<typeof App>;

export const AppList = component(
  'AppList',
  closedObject({ apps: Type.Array(ref(App), { description: 'Oldest first.' }) }),
);
export type AppList = Static<typeof AppList>;

export const CreateAppRequest = component(
  'CreateAppRequest',
  closedObject({
    name: Type.String({
      minLength: 1,
      maxLength: MAX_APP_NAME_LENGTH,
      pattern: DISPLAY_NAME_PATTERN,
      description: `${DISPLAY_TEXT_RULE}, on one line`,
    }),
  }),
);
export type CreateAppRequest = Static<typeof CreateAppRequest>;

export const CreatedApp = component(
  'CreatedApp',
  closedObject(
    {
      app: ref(App),
      key: ref(ApiKey),
      apiKey: Type.String({ pattern: '^weft_', description: 'Its first key, shown this once.' }),
      webhookSecret: Type.String({
        pattern: '^whsec_',
        description: 'Signs the webhooks its runs send (Standard Webhooks).',
      }),
    },
    { description: 'A new app, its first API key and its webhook signing secret.' },
  ),
);
export type CreatedApp = Static<typeof CreatedApp>;

/** The components of this module, by their names in the OpenAPI document. */
export const ADMIN_COMPONENTS = { App, AppList, CreateAppRequest, CreatedApp };
