import { DISPLAY_NAME_PATTERN, DISPLAY_TEXT_PATTERN, DISPLAY_TEXT_RULE } from './display-text';
import { REGIONS } from './definition-types';
import type { JsonSchema } from './json-schema';
import {
  DEFINITION_LIMITS as L,
  FORBIDDEN_NAMES,
  NODE_ID_PATTERN,
  PARAMETER_NAME_PATTERN,
} from './limits';

const nodeIdName: JsonSchema = { pattern: NODE_ID_PATTERN, not: { enum: [...FORBIDDEN_NAMES] } };
const parameterName: JsonSchema = {
  pattern: PARAMETER_NAME_PATTERN,
  not: { enum: [...FORBIDDEN_NAMES] },
};
const nodeId: JsonSchema = { type: 'string', ...nodeIdName };
const nodeIdRef: JsonSchema = { type: 'string', minLength: 1, maxLength: 64 };
const timeoutSeconds = (max: number): JsonSchema => ({
  type: 'number',
  exclusiveMinimum: 0,
  maximum: max,
});
const delayMs: JsonSchema = { type: 'integer', minimum: 0, maximum: L.maxRetryDelayMs };
const errorCodes: JsonSchema = {
  type: 'array',
  maxItems: L.maxNonRetryableErrors,
  items: { type: 'string', minLength: 1, maxLength: 128 },
};
const jitter: JsonSchema = { enum: ['full', 'equal'] };
const onError: JsonSchema = { enum: ['fail', 'continue'] };
const taskName: JsonSchema = { type: 'string', minLength: 1, maxLength: 128 };
const modelName: JsonSchema = { type: 'string', minLength: 1, maxLength: 256 };
const inputs: JsonSchema = { type: 'object' };
const outputs: JsonSchema = {
  type: 'array',
  maxItems: L.maxOutputPaths,
  items: { type: 'string', minLength: 1, maxLength: 1024 },
};

const displayName: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: L.maxNameLength,
  pattern: DISPLAY_NAME_PATTERN,
  description: DISPLAY_TEXT_RULE,
};
const description: JsonSchema = {
  type: 'string',
  maxLength: L.maxDescriptionLength,
  pattern: DISPLAY_TEXT_PATTERN,
  description: DISPLAY_TEXT_RULE,
};

const inputParameter: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { enum: ['string', 'number', 'integer', 'boolean', 'object', 'array'] },
    required: { type: 'boolean' },
    default: {},
    description,
    enum: { type: 'array', minItems: 1, maxItems: L.maxEnumValues },
  },
};

const inputParameters: JsonSchema = {
  type: 'object',
  maxProperties: L.maxInputParameters,
  propertyNames: parameterName,
  additionalProperties: inputParameter,
};

const header = {
  name: displayName,
  description,
  region: { enum: [...REGIONS] },
  timeout: timeoutSeconds(L.maxRunTimeoutSeconds),
} satisfies Record<string, JsonSchema>;

/** A node's `retry` (canonical form); a registered task type's default for its nodes, too. */
export const NODE_RETRY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    max_attempts: { type: 'integer', minimum: 1, maximum: L.maxRetryAttempts },
    initial_delay_ms: delayMs,
    backoff_coefficient: { type: 'number', minimum: 1, maximum: L.maxBackoffCoefficient },
    max_delay_ms: delayMs,
    non_retryable_errors: errorCodes,
    jitter,
  },
};

/** A node's per-attempt `timeout`, seconds; a registered task type's default for its nodes, too. */
export const NODE_TIMEOUT_SCHEMA: JsonSchema = timeoutSeconds(L.maxStepTimeoutSeconds);

/** JSON Schema of the canonical (DAG, snake_case) definition, limits included. */
export const CANONICAL_DEFINITION_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'dag'],
  properties: {
    ...header,
    input_parameters: inputParameters,
    dag: {
      type: 'object',
      additionalProperties: false,
      required: ['nodes'],
      properties: {
        nodes: {
          type: 'object',
          maxProperties: L.maxNodes,
          propertyNames: nodeIdName,
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['task'],
            properties: {
              task: taskName,
              model_id: modelName,
              inputs,
              outputs,
              retry: NODE_RETRY_SCHEMA,
              timeout: NODE_TIMEOUT_SCHEMA,
              on_error: onError,
            },
          },
        },
        edges: {
          type: 'array',
          maxItems: L.maxEdges,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'to'],
            properties: { from: nodeIdRef, to: nodeIdRef },
          },
        },
      },
    },
  },
};

/** JSON Schema of the steps (camelCase) definition, limits included. */
export const STEPS_DEFINITION_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'steps'],
  properties: {
    ...header,
    inputParameters,
    steps: {
      type: 'array',
      maxItems: L.maxNodes,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'type'],
        properties: {
          id: nodeId,
          type: taskName,
          model: modelName,
          input: inputs,
          dependsOn: { type: 'array', maxItems: L.maxNodes, items: nodeIdRef },
          outputs,
          retry: {
            type: 'object',
            additionalProperties: false,
            properties: {
              maxAttempts: { type: 'integer', minimum: 1, maximum: L.maxRetryAttempts },
              initialDelayMs: delayMs,
              backoffCoefficient: { type: 'number', minimum: 1, maximum: L.maxBackoffCoefficient },
              maxDelayMs: delayMs,
              nonRetryableErrors: errorCodes,
              jitter,
            },
          },
          timeout: timeoutSeconds(L.maxStepTimeoutSeconds),
          onError,
        },
      },
    },
  },
};
