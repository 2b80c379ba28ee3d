import {
  Type,
  type ObjectOptions,
  type SchemaOptions,
  type Static,
  type TNull,
  type TObject,
  type TProperties,
  type TSchema,
  type TString,
  type TUnion,
  type TUnsafe,
} from '@sinclair/typebox';

/** Component schemas by the name they have in the OpenAPI document. */
export type Components = Readonly<Record<string, TSchema>>;

const componentNames = new WeakMap<object, string>();

/**
 * Names `schema` as a component of the OpenAPI document (`#/components/schemas/<name>`), so that
 * {@link ref} can point at it rather than copy it.
 */
export function component<T extends TSchema>(name: string, schema: T): T {
  componentNames.set(schema, name);
  return schema;
}

/** The name {@link component} gave `schema`, if it gave one. */
export function componentName(schema: object): string | undefined {
  return componentNames.get(schema);
}

/** A `$ref` to a component, typed as the component is. */
export function ref<T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnsafe<Static<T>> {
  const name = componentNames.get(schema);
  if (name === undefined) throw new Error('ref() of a schema that is not a component');
  return Type.Unsafe<Static<T>>({ ...options, $ref: `#/components/schemas/${name}` });
}

/** One of `values`, written as JSON Schema's `enum` (TypeBox would write an `anyOf` of consts). */
export function stringEnum<const V extends readonly string[]>(
  values: V,
  options: SchemaOptions = {},
): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ ...options, type: 'string', enum: [...values] });
}

/** A closed object: the properties not wrapped in `Type.Optional` are required, no others allowed. */
export function closedObject<P extends TProperties>(
  properties: P,
  options: ObjectOptions = {},
): TObject<P> {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

export function nullable<T extends TSchema>(schema: T): TUnion<[T, TNull]> {
  return Type.Union([schema, Type.Null()]);
}

/** Any JSON object: its keys and values are the caller's. */
export function anyObject(options: SchemaOptions = {}): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({ ...options, type: 'object' });
}

/** An object of `values` by any key. */
export function dictionaryOf<T extends TSchema>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<Record<string, Static<T>>> {
  return Type.Unsafe<Record<string, Static<T>>>({
    ...options,
    type: 'object',
    additionalProperties: values,
  });
}

export function dateTime(description: string): TString {
  return Type.String({ format: 'date-time', description });
}
