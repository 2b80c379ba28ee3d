import { Type, type Static } from '@sinclair/typebox';
import { anyObject, closedObject, component, ref, stringEnum } from './schema-kit';
import { TASK_CATEGORIES } from './statuses';

export const TaskTypeView = component(
  'TaskTypeView',
  closedObject(
    {
      name: Type.String({ description: 'What a node names in `type`, e.g. `text_generate`.' }),
      category: stringEnum(TASK_CATEGORIES, { description: 'How editors group it.' }),
      description: Type.String(),
      needsModel: Type.Boolean({ description: 'A node of this type must name a `model_id`.' }),
      models: Type.Array(Type.String(), {
        description: 'The models a node may name; empty: any (or none).',
      }),
      inputSchema: anyObject({
        description: "JSON Schema of a node's `input`, once its references are resolved.",
      }),
      outputSchema: anyObject({
        description: 'JSON Schema of its result: what `${nodes.<id>.result…}` references read.',
      }),
      builtIn: Type.Boolean({ description: "True for Weft's own task types." }),
    },
    { description: 'A task type: what a node of it takes and returns.' },
  ),
);
export type TaskTypeView = Static<typeof TaskTypeView>;

export const TaskTypeList = component(
  'TaskTypeList',
  closedObject({
    taskTypes: Type.Array(ref(TaskTypeView), { description: 'In catalogue order.' }),
  }),
);
export type TaskTypeList = Static<typeof TaskTypeList>;

/** The components of this module, by their names in the OpenAPI document. */
export const TASK_TYPE_COMPONENTS = { TaskTypeView, TaskTypeList };
