// The module vite/precompiled-validators.mts generates at build time.
declare module 'virtual:weft-precompiled-validators' {
  /** An ajv 8 validate function, as ajv's standalone code exports it. */
  export interface PrecompiledValidator {
    (data: unknown): boolean;
    errors?: unknown[] | null;
  }

  export const canonicalDefinition: PrecompiledValidator;
  export const stepsDefinition: PrecompiledValidator;
  export const taskInputValidators: Readonly<Record<string, PrecompiledValidator>>;
  /** Each compiled schema as JSON text. */
  export const compiledSchemas: {
    canonicalDefinition: string;
    stepsDefinition: string;
    tasks: Readonly<Record<string, string>>;
  };
}
