/**
 * Core's `schema-compiler` as the console bundle has it (see vite/precompiled-validators.mts):
 * the same validators, compiled at build time instead of with `new Function` in the browser.
 */
import {
  canonicalDefinition,
  compiledSchemas,
  stepsDefinition,
  taskInputValidators,
  type PrecompiledValidator,
} from 'virtual:weft-precompiled-validators';
import {
  CANONICAL_DEFINITION_SCHEMA,
  STEPS_DEFINITION_SCHEMA,
} from '../../../core/src/definition-schema';
import type { JsonSchema } from '../../../core/src/json-schema';
import type { compileSchema as compileWithAjv } from '../../../core/src/schema-compiler';
import { listTaskTypes } from '../../../core/src/task-types';

export { describeSchemaErrors, type SchemaProblem } from '../../../core/src/schema-compiler';

/** What core's compileSchema returns (ajv 8's ValidateFunction). */
type ValidateFunction = ReturnType<typeof compileWithAjv>;

let bySchema: Map<JsonSchema, PrecompiledValidator> | undefined;

/**
 * The validators by the schema objects core passes. The validators were compiled from core's
 * build output: a schema that differs from the one compiled means a stale build, and is refused
 * rather than validated by the wrong rules.
 */
function validators(): Map<JsonSchema, PrecompiledValidator> {
  if (bySchema === undefined) {
    const map = new Map<JsonSchema, PrecompiledValidator>();
    const add = (
      schema: JsonSchema,
      validate: PrecompiledValidator | undefined,
      compiled?: string,
    ) => {
      if (validate !== undefined && compiled === JSON.stringify(schema)) map.set(schema, validate);
    };
    add(CANONICAL_DEFINITION_SCHEMA, canonicalDefinition, compiledSchemas.canonicalDefinition);
    add(STEPS_DEFINITION_SCHEMA, stepsDefinition, compiledSchemas.stepsDefinition);
    for (const taskType of listTaskTypes()) {
      add(
        taskType.inputSchema,
        taskInputValidators[taskType.name],
        compiledSchemas.tasks[taskType.name],
      );
    }
    bySchema = map;
  }
  return bySchema;
}

let coreSchemas: Set<JsonSchema> | undefined;

/** The schemas core holds, which the build compiles: any other is a registered task type's. */
function isCoreSchema(schema: JsonSchema): boolean {
  coreSchemas ??= new Set([
    CANONICAL_DEFINITION_SCHEMA,
    STEPS_DEFINITION_SCHEMA,
    ...listTaskTypes().map((taskType) => taskType.inputSchema),
  ]);
  return coreSchemas.has(schema);
}

/**
 * A registered task type's input schema arrives at run time, and the page may not compile it:
 * its literal inputs go unchecked here (references are still checked, from the schema itself),
 * and the API checks them when the workflow is saved or run.
 */
const acceptsAnything: ValidateFunction = Object.assign(() => true, {
  schema: {},
  schemaEnv: undefined,
  errors: null,
}) as unknown as ValidateFunction;

/**
 * The precompiled validator of one of core's schemas; a registered task type's input schema gets
 * one that accepts anything (see `acceptsAnything`).
 */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  const validate = validators().get(schema);
  if (validate === undefined) {
    if (!isCoreSchema(schema)) return acceptsAnything;
    throw new Error(
      'No precompiled validator for this schema: rebuild (`npm run build`), or add the schema to packages/console/vite/precompiled-validators.mts',
    );
  }
  // Standalone code is ajv's own output for the same schema and options: the same function type.
  return validate as ValidateFunction;
}
