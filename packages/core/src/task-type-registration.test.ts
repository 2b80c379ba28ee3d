import { checkTaskTypeRegistration } from './task-type-registration';

const valid = {
  name: 'acme/resize',
  version: 1,
  description: 'Resizes an image.',
  inputSchema: { type: 'object', properties: { width: { type: 'integer' } } },
  outputSchema: { type: 'object', properties: { url: { type: 'string' } } },
};

/** The problems of `value`, or [] when it is accepted. */
function problemsOf(value: unknown): string[] {
  const checked = checkTaskTypeRegistration(value);
  return checked.ok ? [] : checked.problems;
}

describe('checkTaskTypeRegistration', () => {
  it('accepts a registration, with a retry policy and timeout as a node takes them', () => {
    expect(checkTaskTypeRegistration(valid)).toEqual({ ok: true, registration: valid });
    expect(
      problemsOf({ ...valid, retry: { max_attempts: 5, initial_delay_ms: 200 }, timeout: 60 }),
    ).toEqual([]);
  });

  it('refuses what is not the wire shape, saying where', () => {
    expect(problemsOf({ ...valid, version: 0 })).toEqual(['version: must be >= 1']);
    expect(problemsOf({ ...valid, version: 1.5 })).toEqual([
      'version: must be integer (got number)',
    ]);
    expect(problemsOf({ ...valid, inputschema: {} })).toEqual([
      expect.stringMatching(/^inputschema: is not an allowed property/),
    ]);
    const { description: _dropped, ...noDescription } = valid;
    expect(problemsOf(noDescription)).toEqual([
      'description: "description" is required but missing',
    ]);
    expect(problemsOf('acme/resize')).toHaveLength(1);
  });

  it('refuses reserved, built-in and malformed names', () => {
    expect(problemsOf({ ...valid, name: 'openai/resize' })).toEqual([
      expect.stringMatching(/reserved/),
    ]);
    expect(problemsOf({ ...valid, name: 'acme/re.size' })).toEqual([
      expect.stringMatching(/^name: /),
    ]);
  });

  it('refuses a retry policy or timeout a node could not have', () => {
    expect(problemsOf({ ...valid, retry: { max_attempts: 0, backoff: 2 } })).toEqual([
      expect.stringMatching(/^retry\.backoff: is not an allowed property/),
      'retry.max_attempts: must be >= 1',
    ]);
    expect(problemsOf({ ...valid, timeout: 0 })).toEqual(['timeout: must be > 0']);
  });

  it('refuses schemas that do not compile, and schemas naming an $id', () => {
    expect(problemsOf({ ...valid, inputSchema: { type: 'object', propertys: {} } })).toEqual([
      expect.stringMatching(/^inputSchema is not a JSON Schema .*propertys/),
    ]);
    expect(problemsOf({ ...valid, outputSchema: { type: 'strin' } })).toEqual([
      expect.stringMatching(/^outputSchema is not a JSON Schema/),
    ]);
    expect(
      problemsOf({ ...valid, outputSchema: { properties: { a: { $id: 'https://x/a' } } } }),
    ).toEqual(['outputSchema: "$id" is not allowed (at /properties/a/$id)']);
  });
});
