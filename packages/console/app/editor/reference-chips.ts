import {
  acceptedTypes,
  ancestorsOf,
  formatPath,
  inputParametersOf,
  parsePath,
  schemaAtPath,
  type AcceptedTypes,
  type JsonSchema,
  type JsonType,
  type PathSegment,
  type TaskCatalogue,
  type WorkflowDefinition,
} from '@weft/core';

/** A reference the editor offers for a field: click it to insert `text`. */
export interface ReferenceChip {
  /** What the chip reads, e.g. `input.prompt` or `enhance › choices[0].message.content`. */
  label: string;
  /** The reference inserted, e.g. `${input.prompt}`. */
  text: string;
  kind: 'input' | 'node';
}

/** Paths deeper than this are not offered: they are rare, and the list would grow long. */
const MAX_DEPTH = 5;

/** Every path an output schema describes (objects by key, arrays by `[0]`), shallow first. */
export function outputPaths(schema: JsonSchema): PathSegment[][] {
  const paths: PathSegment[][] = [];
  const walk = (current: JsonSchema, path: PathSegment[]) => {
    if (path.length >= MAX_DEPTH) return;
    const branches = current.anyOf ?? [current];
    for (const branch of branches) {
      for (const [key, child] of Object.entries(branch.properties ?? {})) {
        paths.push([...path, key]);
        walk(child, [...path, key]);
      }
      if (branch.items !== undefined) {
        paths.push([...path, 0]);
        walk(branch.items, [...path, 0]);
      }
    }
  };
  walk(schema, []);
  return paths;
}

/**
 * Whether a value of `valueTypes` may go where `fieldTypes` are expected; integers and numbers
 * fit each other. The same rule as core's reference type check, which core does not export.
 */
function typesFit(valueTypes: AcceptedTypes, fieldTypes: AcceptedTypes): boolean {
  if (valueTypes === 'any' || fieldTypes === 'any') return true;
  for (const type of valueTypes) {
    if (fieldTypes.has(type)) return true;
    if (type === 'integer' && fieldTypes.has('number')) return true;
    if (type === 'number' && fieldTypes.has('integer')) return true;
  }
  return false;
}

function isLeaf(types: AcceptedTypes): boolean {
  return types !== 'any' && ![...types].some((type) => type === 'object' || type === 'array');
}

function parameterTypes(type: JsonType | undefined): AcceptedTypes {
  return type === undefined ? 'any' : new Set([type]);
}

/**
 * The references that fit a field of node `nodeId` whose schema is `fieldSchema` (undefined: a
 * field the task does not declare). Offered: the workflow's input parameters, then the outputs
 * of the nodes upstream of this one (only those run before it, so only those resolve), the
 * node's declared `outputs` first, read from their task types in `catalogue` (registered types'
 * too). A chip fits when its value's type can be the field's.
 */
export function referenceChips(
  definition: WorkflowDefinition,
  nodeId: string,
  fieldSchema: JsonSchema | undefined,
  catalogue: TaskCatalogue,
): ReferenceChip[] {
  const fieldTypes = fieldSchema === undefined ? 'any' : acceptedTypes([fieldSchema]);
  const chips: ReferenceChip[] = [];
  const seen = new Set<string>();
  const add = (chip: ReferenceChip) => {
    if (seen.has(chip.text)) return;
    seen.add(chip.text);
    chips.push(chip);
  };

  for (const [name, parameter] of Object.entries(inputParametersOf(definition).parameters)) {
    if (typesFit(parameterTypes(parameter.type), fieldTypes)) {
      add({ label: `input.${name}`, text: `\${input.${name}}`, kind: 'input' });
    }
  }

  for (const upstream of ancestorsOf(definition, nodeId)) {
    if (upstream === nodeId) continue;
    const node = definition.dag.nodes[upstream];
    const taskType = typeof node?.task === 'string' ? catalogue.get(node.task) : undefined;
    if (node === undefined || taskType === undefined) continue;
    const declared: PathSegment[][] = [];
    for (const output of Array.isArray(node.outputs) ? node.outputs : []) {
      const parsed = parsePath(output);
      if (parsed.ok) declared.push(parsed.value);
    }
    const candidates = [...declared, ...outputPaths(taskType.outputSchema)];
    for (const path of candidates) {
      const lookup = schemaAtPath(taskType.outputSchema, path);
      if (!lookup.found) continue;
      const types = acceptedTypes(lookup.schemas);
      // For a field of any type, offer values, not every enclosing object.
      if (
        fieldTypes === 'any'
          ? !isLeaf(types) && !declared.includes(path)
          : !typesFit(types, fieldTypes)
      ) {
        continue;
      }
      const formatted = formatPath(path);
      add({
        label: `${upstream} › ${formatted}`,
        text: `\${nodes.${upstream}.result.${formatted}}`,
        kind: 'node',
      });
    }
  }
  return chips;
}

/** The schema of the input at `path` of a task's inputs, or undefined when it is not declared. */
export function inputFieldSchema(
  inputSchema: JsonSchema,
  path: readonly PathSegment[],
): JsonSchema | undefined {
  const lookup = schemaAtPath(inputSchema, path);
  if (!lookup.found) return undefined;
  return lookup.schemas.length === 1 ? lookup.schemas[0] : { anyOf: lookup.schemas };
}

/** Inserts `text` into `value` in place of the selection `[start, end)`; returns the new caret. */
export function insertAt(
  value: string,
  text: string,
  start: number,
  end: number,
): { value: string; caret: number } {
  const from = Math.max(0, Math.min(start, value.length));
  const to = Math.max(from, Math.min(end, value.length));
  return { value: value.slice(0, from) + text + value.slice(to), caret: from + text.length };
}
