import type { JsonSchema } from './json-schema';
import { incompatibilities } from './task-type-compatibility';
import type { TaskTypeRegistration } from './task-type-registration';

const input: JsonSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: { type: 'string' },
    width: { type: 'integer' },
    options: { type: 'object', properties: { quality: { type: 'number' } } },
  },
};
const output: JsonSchema = {
  type: 'object',
  required: ['url', 'size'],
  properties: {
    url: { type: 'string' },
    size: { type: 'integer' },
    tags: { type: 'array', items: { type: 'string' } },
  },
};
const v1: TaskTypeRegistration = {
  name: 'acme/resize',
  version: 1,
  description: 'Resizes an image.',
  inputSchema: input,
  outputSchema: output,
};

/** v1 with its schemas changed by `edit`, which receives copies. */
function changed(edit: (schemas: { input: JsonSchema; output: JsonSchema }) => void) {
  const schemas = structuredClone({ input, output });
  edit(schemas);
  return { ...v1, inputSchema: schemas.input, outputSchema: schemas.output };
}
const props = (schema: JsonSchema) => schema.properties as Record<string, JsonSchema>;

describe('incompatibilities', () => {
  it('finds none between a registration and itself, or a new description', () => {
    expect(incompatibilities(v1, v1)).toEqual([]);
    expect(incompatibilities(v1, { ...v1, description: 'Resizes images, fast.' })).toEqual([]);
  });

  it('accepts compatible changes: a new optional input, a new output field, a wider input type', () => {
    const next = changed(({ input: i, output: o }) => {
      props(i).height = { type: 'integer' };
      props(i).width = { type: 'number' };
      props(o).format = { type: 'string' };
      o.required = ['url', 'size', 'format'];
      i.additionalProperties = true;
    });
    expect(incompatibilities(v1, next)).toEqual([]);
  });

  it('refuses a new required input', () => {
    const next = changed(({ input: i }) => {
      props(i).height = { type: 'integer' };
      i.required = ['url', 'height'];
    });
    expect(incompatibilities(v1, next)).toEqual(['input "height" is now required']);
  });

  it('refuses an optional input made required', () => {
    const next = changed(({ input: i }) => {
      i.required = ['url', 'width'];
    });
    expect(incompatibilities(v1, next)).toEqual(['input "width" is now required']);
  });

  it('refuses a removed input, and one whose type narrowed, nested ones included', () => {
    const next = changed(({ input: i }) => {
      delete props(i).width;
      props(i).url = { type: 'object' };
      props(props(i).options as JsonSchema).quality = { type: 'integer' };
    });
    expect(incompatibilities(v1, next)).toEqual([
      'input "url" accepted string, and now accepts object',
      'input "width" was removed',
      'input "options.quality" accepted number, and now accepts integer',
    ]);
  });

  it('refuses inputs closed where they were open', () => {
    const next = changed(({ input: i }) => {
      i.additionalProperties = false;
    });
    expect(incompatibilities(v1, next)).toEqual([
      'the input now refuses fields it does not list (additionalProperties: false)',
    ]);
  });

  it('refuses a removed output, one no longer required, and one whose type changed', () => {
    const next = changed(({ output: o }) => {
      delete props(o).tags;
      o.required = ['url'];
      props(o).url = { type: ['string', 'null'] };
    });
    expect(incompatibilities(v1, next)).toEqual([
      'output "url" was string, and now may be null or string',
      'output "tags" was removed',
      'output "size" is no longer required',
    ]);
  });

  it('follows array items', () => {
    const next = changed(({ output: o }) => {
      props(o).tags = { type: 'array', items: { type: 'integer' } };
    });
    expect(incompatibilities(v1, next)).toEqual([
      'output "tags[]" was string, and now may be integer',
    ]);
  });

  it('accepts any change under another version: that is how a schema changes incompatibly', () => {
    const next = changed(({ input: i, output: o }) => {
      i.required = ['url', 'width'];
      delete props(o).size;
    });
    expect(incompatibilities(v1, next)).toHaveLength(2);
    expect(incompatibilities(v1, { ...next, version: 2 })).toEqual([]);
  });
});
