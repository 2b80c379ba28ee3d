import type { JsonType, JsonValue } from './json-value';
import { jsonTypeOf } from './json-value';

/**
 * The subset of JSON Schema (draft-07 keywords, as ajv 8 reads them) that Weft's own schemas use.
 * Typed so task types are checked data rather than loose objects.
 */
export type JsonSchema = {
  type?: JsonType | JsonType[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  enum?: JsonValue[];
  const?: JsonValue;
  anyOf?: JsonSchema[];
  not?: JsonSchema;
  /** Draft-07's property dependencies: when the key is present, so must these be. */
  dependencies?: Record<string, string[]>;
  if?: JsonSchema;
  then?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  default?: JsonValue;
};

/** One step of a path: an object key or an array index. */
export type PathSegment = string | number;

/** The JSON types a schema admits, or `any` when it places no constraint on type. */
export type AcceptedTypes = ReadonlySet<JsonType> | 'any';

const ANY: JsonSchema = {};

function hasShape(schema: JsonSchema): boolean {
  return (
    schema.type !== undefined ||
    schema.properties !== undefined ||
    schema.items !== undefined ||
    schema.enum !== undefined ||
    schema.const !== undefined ||
    schema.additionalProperties !== undefined ||
    (schema.anyOf !== undefined && schema.anyOf.some(hasShape))
  );
}

/** The shapes a schema allows: its anyOf branches when they describe shapes, else itself. */
function alternatives(schema: JsonSchema): JsonSchema[] {
  if (schema.anyOf !== undefined && schema.anyOf.some(hasShape)) {
    return schema.anyOf.flatMap(alternatives);
  }
  return [schema];
}

function typesOfShape(schema: JsonSchema): AcceptedTypes {
  if (!hasShape(schema)) return 'any';
  const types = new Set<JsonType>();
  if (schema.type !== undefined) {
    for (const type of Array.isArray(schema.type) ? schema.type : [schema.type]) types.add(type);
    return types;
  }
  const values = schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined);
  if (values !== undefined) {
    for (const value of values) {
      const type = jsonTypeOf(value);
      if (type !== undefined) types.add(type);
    }
    return types;
  }
  if (schema.properties !== undefined || schema.additionalProperties !== undefined)
    types.add('object');
  if (schema.items !== undefined) types.add('array');
  return types;
}

/** Union of the JSON types admitted by any of `schemas`. */
export function acceptedTypes(schemas: readonly JsonSchema[]): AcceptedTypes {
  const all = new Set<JsonType>();
  for (const schema of schemas) {
    for (const shape of alternatives(schema)) {
      const types = typesOfShape(shape);
      if (types === 'any') return 'any';
      for (const type of types) all.add(type);
    }
  }
  return all;
}

function admits(types: AcceptedTypes, type: JsonType): boolean {
  return types === 'any' || types.has(type);
}

/** True for `0`, `7`, `42`: a key that names an array index. */
function isIndexText(text: string): boolean {
  if (text === '' || (text.length > 1 && text.charCodeAt(0) === 48)) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

function childSchema(schema: JsonSchema, segment: PathSegment): JsonSchema | undefined {
  if (!hasShape(schema)) return ANY;
  const types = typesOfShape(schema);
  const isIndex = typeof segment === 'number' || isIndexText(segment);
  if (isIndex && admits(types, 'array')) return schema.items ?? ANY;
  if (typeof segment === 'string' && admits(types, 'object')) {
    if (schema.properties !== undefined && Object.hasOwn(schema.properties, segment)) {
      return schema.properties[segment];
    }
    if (typeof schema.additionalProperties === 'object') return schema.additionalProperties;
    if (schema.additionalProperties === true) return ANY;
    if (schema.properties === undefined && schema.additionalProperties === undefined) return ANY;
  }
  return undefined;
}

/** What a schema says about the value at a path: the candidate schemas, or the first step not found. */
export type SchemaLookup =
  { found: true; schemas: JsonSchema[] } | { found: false; failedAt: number };

/**
 * Follows a path through a schema. An object schema listing `properties` without
 * `additionalProperties` is read as closed here (only its listed keys exist), so a typo in a
 * reference path is caught; schemas that mean "any key" say so with `additionalProperties`.
 */
export function schemaAtPath(schema: JsonSchema, path: readonly PathSegment[]): SchemaLookup {
  let current: JsonSchema[] = [schema];
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    const next: JsonSchema[] = [];
    for (const candidate of current) {
      for (const shape of alternatives(candidate)) {
        const child = childSchema(shape, segment);
        if (child !== undefined) next.push(child);
      }
    }
    if (next.length === 0) return { found: false, failedAt: i };
    current = next;
  }
  return { found: true, schemas: current };
}

/**
 * Whether a value of one of `valueTypes` could be accepted where `fieldTypes` are expected.
 * Integers and numbers overlap (a number may be whole), so either fits the other.
 */
export function typesOverlap(valueTypes: AcceptedTypes, fieldTypes: AcceptedTypes): boolean {
  if (valueTypes === 'any' || fieldTypes === 'any') return true;
  for (const type of valueTypes) {
    if (fieldTypes.has(type)) return true;
    if (type === 'integer' && fieldTypes.has('number')) return true;
    if (type === 'number' && fieldTypes.has('integer')) return true;
  }
  return false;
}

/** Human-readable list of types, e.g. `string or array`. */
export function describeTypes(types: AcceptedTypes): string {
  if (types === 'any') return 'any value';
  const list = [...types].sort();
  return list.length === 0 ? 'no value' : list.join(' or ');
}

/** A path lookup reduced to what type checks need: the types found there, or where it failed. */
export type TypedLookup =
  { found: true; types: AcceptedTypes } | { found: false; failedAt: number };

/**
 * A memo of typed path lookups for the span of one validation: many references share a path
 * (every `${nodes.x.result.text}`), so each distinct one is walked once. `key` names the path.
 */
export function typedLookupMemo(): (
  schema: JsonSchema,
  key: string,
  path: readonly PathSegment[] | (() => readonly PathSegment[]),
) => TypedLookup {
  const memo = new Map<JsonSchema, Map<string, TypedLookup>>();
  return (schema, key, path) => {
    let bySchema = memo.get(schema);
    if (bySchema === undefined) {
      bySchema = new Map();
      memo.set(schema, bySchema);
    }
    let result = bySchema.get(key);
    if (result === undefined) {
      const lookup = schemaAtPath(schema, typeof path === 'function' ? path() : path);
      result = lookup.found ? { found: true, types: acceptedTypes(lookup.schemas) } : lookup;
      bySchema.set(key, result);
    }
    return result;
  };
}
