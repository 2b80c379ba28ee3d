import type { JsonSchema, JsonValue } from '@weft/core';

/** How a payload field is edited, chosen from its schema. */
export type FieldKind =
  /** A string: a text area, with reference chips. */
  | 'text'
  /** A string from a fixed list. */
  | 'choice'
  /** A number or an integer, or a reference to one. */
  | 'number'
  | 'boolean'
  /** An array of objects with declared fields (chat messages): one group of fields per item. */
  | 'object-list'
  /** Anything else: written as JSON, or as plain text when it is not JSON. */
  | 'value';

function typesOf(schema: JsonSchema): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** The editor for a field of this schema (undefined: a field the task does not declare). */
export function fieldKind(schema: JsonSchema | undefined): FieldKind {
  if (schema === undefined || schema.anyOf !== undefined) return 'value';
  const types = typesOf(schema);
  if (types.length !== 1) return 'value';
  switch (types[0]) {
    case 'string':
      return schema.enum !== undefined && schema.enum.every((v) => typeof v === 'string')
        ? 'choice'
        : 'text';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return schema.items?.properties !== undefined ? 'object-list' : 'value';
    default:
      return 'value';
  }
}

/** String suggestions a `value` field can offer (e.g. image size presets). */
export function suggestionsOf(schema: JsonSchema | undefined): string[] {
  const branches = schema?.anyOf ?? (schema === undefined ? [] : [schema]);
  return branches.flatMap((branch) =>
    (branch.enum ?? []).filter((value): value is string => typeof value === 'string'),
  );
}

/** What a number field holds for the text typed: a number, a reference (string), or nothing. */
export function numberFieldValue(text: string): JsonValue | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (/^-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i.test(trimmed)) return Number(trimmed);
  return text;
}

/** A value as a `value` field shows it: strings as they are, anything else as JSON. */
export function valueFieldText(value: JsonValue | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/**
 * What a `value` field holds for the text typed: JSON when it reads as JSON (an object, an
 * array, a number, true, false or null), else the text itself as a string.
 */
export function valueFieldValue(text: string): JsonValue | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (/^[[{"]|^-?\d|^(?:true|false|null)$/.test(trimmed)) {
    try {
      return JSON.parse(trimmed) as JsonValue;
    } catch {
      return text;
    }
  }
  return text;
}

/** A field name as a label: `num_frames` → `Num frames`. */
export function labelOf(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').trim();
  return words === '' ? name : words.charAt(0).toUpperCase() + words.slice(1);
}

/** `messages` → `message`: what one item of a list field is called. */
export function singular(name: string): string {
  const label = labelOf(name).toLowerCase();
  return label.endsWith('s') ? label.slice(0, -1) : label;
}
