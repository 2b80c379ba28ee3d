import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

/**
 * Why this plugin exists: core validates definitions with ajv, and ajv compiles every schema
 * with `new Function`, which the console's Content-Security-Policy (no 'unsafe-eval') forbids.
 * So the console ships the same validators compiled at build time (ajv's standalone code), and
 * core's `schema-compiler` module is swapped, in the console bundle only, for one that hands out
 * those precompiled validators. Validation logic stays core's: only the compile step moves.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const CORE = resolve(HERE, '..', '..', 'core');
const CORE_SRC = join(CORE, 'src');
const SHIM = resolve(HERE, '..', 'app', 'validation', 'precompiled-schema-compiler.ts');
const FORMATS = resolve(HERE, '..', 'app', 'validation', 'schema-formats.ts');

/** The id the shim imports the generated validators by. */
export const VALIDATORS_MODULE = 'virtual:weft-precompiled-validators';
const RESOLVED_VALIDATORS = `\0${VALIDATORS_MODULE}`;

/** ajv as core has it (core depends on ajv 8; the workspace root may hold another major). */
const coreRequire = createRequire(join(CORE, 'package.json'));

interface CoreSchemas {
  CANONICAL_DEFINITION_SCHEMA: object;
  STEPS_DEFINITION_SCHEMA: object;
  listTaskTypes: (this: void) => { name: string; inputSchema: object }[];
}

type Codegen = { _: (strings: TemplateStringsArray, ...values: unknown[]) => unknown };
type AjvInstance = {
  addSchema(schema: object, key: string): AjvInstance;
  addFormat(name: string, format: object): AjvInstance;
};
type AjvClass = new (options: object) => AjvInstance;

/**
 * The validators' module source: one export per schema core compiles while validating a
 * definition (both definition forms and every task type's inputs), then `taskInputValidators`
 * keyed by task name. Options must match core's schema-compiler.ts, or messages would differ.
 */
export function precompiledValidatorsSource(): string {
  // Core as built by `tsc -b` (the build runs it first): the config stays plain ESM. The bundle
  // checks at run time that these schemas are the ones its core sources hold.
  const { CANONICAL_DEFINITION_SCHEMA, STEPS_DEFINITION_SCHEMA, listTaskTypes } = coreRequire(
    './dist/index.js',
  ) as CoreSchemas;
  const Ajv = (coreRequire('ajv') as { default: AjvClass }).default;
  const { _ } = coreRequire('ajv') as Codegen;
  const standaloneCode = (
    coreRequire('ajv/dist/standalone') as {
      default: (ajv: AjvInstance, refs: Record<string, string>) => string;
    }
  ).default;
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    allowUnionTypes: true,
    code: { source: true, esm: true, formats: _`schemaFormats` },
  });
  // The format's behaviour comes from schema-formats.ts at run time; this only declares it.
  ajv.addFormat('uri', { type: 'string', validate: () => true });

  const exportsByKey: Record<string, string> = {};
  const sources: Record<string, string> = {};
  const add = (key: string, schema: object) => {
    ajv.addSchema(schema, key);
    exportsByKey[key] = key;
    sources[key] = JSON.stringify(schema);
  };
  add('canonicalDefinition', CANONICAL_DEFINITION_SCHEMA);
  add('stepsDefinition', STEPS_DEFINITION_SCHEMA);
  const taskEntries: string[] = [];
  listTaskTypes().forEach((taskType, index) => {
    const key = `taskInput${index}`;
    add(key, taskType.inputSchema);
    taskEntries.push(`${JSON.stringify(taskType.name)}: ${key}`);
  });

  let code = standaloneCode(ajv, exportsByKey).replace(/^"use strict";/, '');
  // Standalone code requires ajv's small runtime helpers; as ES imports, resolved from core.
  const imports: string[] = [`import { schemaFormats } from ${JSON.stringify(FORMATS)};`];
  const required = new Map<string, string>();
  code = code.replace(/require\("([^"]+)"\)/g, (_match, specifier: string) => {
    let name = required.get(specifier);
    if (name === undefined) {
      name = `runtime${required.size}`;
      required.set(specifier, name);
      imports.push(`import * as ${name} from ${JSON.stringify(coreRequire.resolve(specifier))};`);
    }
    return name;
  });
  const taskSources = listTaskTypes().map(
    (taskType, index) =>
      `${JSON.stringify(taskType.name)}: ${JSON.stringify(sources[`taskInput${index}`])}`,
  );
  return [
    ...imports,
    code,
    `export const taskInputValidators = {${taskEntries.join(', ')}};`,
    // The schemas as compiled, so the bundle can refuse validators of other schemas.
    `export const compiledSchemas = {canonicalDefinition: ${JSON.stringify(sources.canonicalDefinition)}, stepsDefinition: ${JSON.stringify(sources.stepsDefinition)}, tasks: {${taskSources.join(', ')}}};`,
    '',
  ].join('\n');
}

/**
 * Serves the precompiled validators and points core's `./schema-compiler` imports at the shim
 * that uses them. Only imports made from core's sources are redirected.
 */
export function precompiledValidators(): Plugin {
  return {
    name: 'weft-precompiled-validators',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === VALIDATORS_MODULE) return RESOLVED_VALIDATORS;
      if (
        source === './schema-compiler' &&
        importer !== undefined &&
        dirname(importer) === CORE_SRC
      ) {
        return SHIM;
      }
      return null;
    },
    load(id) {
      return id === RESOLVED_VALIDATORS ? precompiledValidatorsSource() : null;
    },
  };
}
