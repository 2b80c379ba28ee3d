import type { TSchema } from '@sinclair/typebox';
import { API_ERRORS, type ApiErrorCode } from '../api-errors';
import { componentName } from '../schema-kit';
import type {
  HeaderObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
} from './objects';

// The pieces operations are declared with: references to components, answers, bodies.

/** A `$ref` to the component `schema` was declared as. */
export function schemaRef(schema: TSchema): SchemaObject {
  const name = componentName(schema);
  if (name === undefined) throw new Error('schemaRef() of a schema that is not a component');
  return { $ref: `#/components/schemas/${name}` };
}

export const headerRef = (name: string): ReferenceObject => ({
  $ref: `#/components/headers/${name}`,
});

export const parameterRef = (name: string): ReferenceObject => ({
  $ref: `#/components/parameters/${name}`,
});

export const responseRef = (name: string): ReferenceObject => ({
  $ref: `#/components/responses/${name}`,
});

/** Every answer carries `X-Request-Id`. */
const requestId = { 'X-Request-Id': headerRef('X-Request-Id') };

/** A reference to `schema` when it is a component; else `schema` itself, written in place. */
function refOrInline(schema: TSchema | SchemaObject): SchemaObject {
  return componentName(schema) === undefined ? schema : schemaRef(schema as TSchema);
}

/** A JSON answer of `schema` (a component, or a schema written in place). */
export function json(
  description: string,
  schema: TSchema | SchemaObject,
  headers: Record<string, HeaderObject | ReferenceObject> = {},
): ResponseObject {
  return {
    description,
    headers: { ...requestId, ...headers },
    content: { 'application/json': { schema: refOrInline(schema) } },
  };
}

/** An answer of bytes in `mediaType` (absent schema: any bytes). */
export function bytes(
  description: string,
  mediaType: string,
  schema?: SchemaObject,
  headers: Record<string, HeaderObject | ReferenceObject> = {},
): ResponseObject {
  return {
    description,
    headers: { ...requestId, ...headers },
    content: { [mediaType]: schema === undefined ? {} : { schema } },
  };
}

export function noContent(description: string): ResponseObject {
  return { description, headers: requestId };
}

/** A body that may be sent, but only empty: `{}`. */
export const EMPTY_OBJECT: SchemaObject = {
  type: 'object',
  properties: {},
  required: [],
  additionalProperties: false,
};

/** `?limit=&cursor=` of a listing: the page size within `limits`, and where the page starts. */
export function pageParameters(
  limits: { default: number; max: number },
  cursorName: 'nextCursor' | 'next_cursor',
): ParameterObject[] {
  return [
    {
      name: 'limit',
      in: 'query',
      description: 'Page size.',
      schema: { type: 'integer', minimum: 1, maximum: limits.max, default: limits.default },
    },
    {
      name: 'cursor',
      in: 'query',
      description: `The \`${cursorName}\` of the previous page.`,
      schema: { type: 'string' },
    },
  ];
}

/** A JSON request body of `schema`. */
export function jsonBody(schema: TSchema | SchemaObject, required = true): RequestBodyObject {
  return { required, content: { 'application/json': { schema: refOrInline(schema) } } };
}

/** An error body whose `code` is one of `codes`. */
function errorSchema(codes: readonly ApiErrorCode[]): SchemaObject {
  return {
    allOf: [{ $ref: '#/components/schemas/Error' }],
    type: 'object',
    properties: { error: { type: 'object', properties: { code: { enum: codes } } } },
  };
}

/** The answer of the errors `codes`, each described by what it means. */
export function errorResponse(
  codes: readonly ApiErrorCode[],
  headers: Record<string, HeaderObject | ReferenceObject> = {},
): ResponseObject {
  return {
    description: codes.map((code) => `\`${code}\`: ${API_ERRORS[code].meaning}`).join('\n'),
    headers: { ...requestId, ...headers },
    content: { 'application/json': { schema: errorSchema(codes) } },
  };
}

/** An error answer whose `details` has these required properties. */
export function errorWithDetails(
  codes: readonly ApiErrorCode[],
  details: Record<string, SchemaObject>,
): ResponseObject {
  const response = errorResponse(codes);
  return {
    ...response,
    content: {
      'application/json': {
        schema: {
          allOf: [errorSchema(codes)],
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                details: { type: 'object', properties: details, required: Object.keys(details) },
              },
            },
          },
        },
      },
    },
  };
}
