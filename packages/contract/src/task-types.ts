import { Type, type Static } from '@sinclair/typebox';
import { CUSTOM_TASK_TYPE_NAME_PATTERN, DISPLAY_TEXT_PATTERN, DISPLAY_TEXT_RULE } from './names';
import { anyObject, closedObject, component, dateTime, ref, stringEnum } from './schema-kit';
import { TASK_CATEGORIES } from './statuses';

const inputSchema = anyObject({
  description: "JSON Schema of a node's `input`, once its references are resolved.",
});
const outputSchema = anyObject({
  description: 'JSON Schema of its result: what `${nodes.<id>.result…}` references read.',
});

/** What a registered type sets for its nodes that set nothing themselves. */
const nodeDefaults = {
  retry: Type.Optional(
    anyObject({
      description:
        "The retry policy of its nodes that set none, in the form of a node's `retry` (see `WorkflowDefinition`).",
    }),
  ),
  timeout: Type.Optional(
    Type.Number({
      description:
        "The per-attempt timeout, in seconds, of its nodes that set none, as a node's `timeout`.",
    }),
  ),
};

/** A registered type's own fields, as its worker registers it. */
const registrationProperties = {
  name: Type.String({
    pattern: CUSTOM_TASK_TYPE_NAME_PATTERN,
    description:
      '`namespace/name`, each part a lowercase letter then up to 62 lowercase letters, digits, `_` or `-` (e.g. `acme/resize`); the namespaces of the built-in types and `weft` are reserved',
  }),
  version: Type.Integer({
    minimum: 1,
    description:
      'Raise it to change the schemas incompatibly: a registration at the stored version must be compatible with it.',
  }),
  description: Type.String({ pattern: DISPLAY_TEXT_PATTERN, description: DISPLAY_TEXT_RULE }),
  inputSchema,
  outputSchema,
  ...nodeDefaults,
};

/**
 * A task type a worker registers at run time, through Kafka (`weft.task-types`, keyed by name):
 * the wire shape, which `@weft/core` checks and `@weft/task-registry` writes and reads.
 */
export const TaskTypeRegistration = component(
  'TaskTypeRegistration',
  closedObject(registrationProperties, {
    description: 'A task type as its worker registers it.',
  }),
);
export type TaskTypeRegistration = Static<typeof TaskTypeRegistration>;

/** A registration as the registry holds it: the value of its record on `weft.task-types`. */
export const RegisteredTaskType = component(
  'RegisteredTaskType',
  closedObject(
    { ...registrationProperties, registeredAt: dateTime('When this registration was written.') },
    { description: 'A task type registered at run time, as the registry holds it.' },
  ),
);
export type RegisteredTaskType = Static<typeof RegisteredTaskType>;

export const TaskTypeView = component(
  'TaskTypeView',
  closedObject(
    {
      name: Type.String({ description: 'What a node names in `type`, e.g. `text_generate`.' }),
      category: stringEnum(TASK_CATEGORIES, {
        description: 'How editors group it; `custom` for a registered type.',
      }),
      description: Type.String(),
      needsModel: Type.Boolean({ description: 'A node of this type must name a `model_id`.' }),
      models: Type.Array(Type.String(), {
        description: 'The models a node may name; empty: any (or none).',
      }),
      inputSchema,
      outputSchema,
      builtIn: Type.Boolean({
        description: "True for Weft's own task types; false for those registered at run time.",
      }),
      version: Type.Optional(
        Type.Integer({ minimum: 1, description: 'A registered type’s version.' }),
      ),
      registeredAt: Type.Optional(dateTime('When a registered type’s version was registered.')),
      ...nodeDefaults,
    },
    { description: 'A task type: what a node of it takes and returns.' },
  ),
);
export type TaskTypeView = Static<typeof TaskTypeView>;

export const TaskTypeList = component(
  'TaskTypeList',
  closedObject({
    taskTypes: Type.Array(ref(TaskTypeView), {
      description: 'The built-in types in catalogue order, then the registered ones by name.',
    }),
  }),
);
export type TaskTypeList = Static<typeof TaskTypeList>;

export const RegisteredTaskTypeList = component(
  'RegisteredTaskTypeList',
  closedObject({
    taskTypes: Type.Array(ref(RegisteredTaskType), { description: 'By name.' }),
  }),
);
export type RegisteredTaskTypeList = Static<typeof RegisteredTaskTypeList>;

export const RegisteredTaskTypeAnswer = component(
  'RegisteredTaskTypeAnswer',
  closedObject({ taskType: ref(RegisteredTaskType) }),
);
export type RegisteredTaskTypeAnswer = Static<typeof RegisteredTaskTypeAnswer>;

/** The components of this module, by their names in the OpenAPI document. */
export const TASK_TYPE_COMPONENTS = {
  TaskTypeRegistration,
  RegisteredTaskType,
  TaskTypeView,
  TaskTypeList,
  RegisteredTaskTypeList,
  RegisteredTaskTypeAnswer,
};
