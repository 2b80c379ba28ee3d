import {
  exactReference,
  formatReference,
  listReferences,
  parsePath,
  parseTemplate,
  scanReferences,
} from './references';

describe('parseTemplate', () => {
  it('returns plain strings as one text part', () => {
    expect(parseTemplate('no references here }')).toEqual({
      ok: true,
      parts: [{ kind: 'text', text: 'no references here }' }],
    });
  });

  it('splits text and references in order', () => {
    const parsed = parseTemplate('A ${input.style} shot of ${nodes.gen.result.images[0].url}.');
    expect(parsed).toEqual({
      ok: true,
      parts: [
        { kind: 'text', text: 'A ' },
        {
          kind: 'reference',
          reference: { kind: 'input', name: 'style', path: [] },
          source: '${input.style}',
        },
        { kind: 'text', text: ' shot of ' },
        {
          kind: 'reference',
          reference: { kind: 'node', node: 'gen', path: ['images', 0, 'url'] },
          source: '${nodes.gen.result.images[0].url}',
        },
        { kind: 'text', text: '.' },
      ],
    });
  });

  it('accepts node ids with hyphens and whole results', () => {
    expect(exactReference('${nodes.my-node.result}')).toEqual({
      kind: 'node',
      node: 'my-node',
      path: [],
    });
    expect(exactReference('${nodes.n.result[2].a}')).toEqual({
      kind: 'node',
      node: 'n',
      path: [2, 'a'],
    });
    expect(exactReference('${input.cfg.sizes[1]}')).toEqual({
      kind: 'input',
      name: 'cfg',
      path: ['sizes', 1],
    });
  });

  it.each([
    ['${nodes.x}', 'must continue with .result'],
    ['${nodes.x.results.a}', 'must continue with .result'],
    ['${foo}', 'is not a reference'],
    ['${input.a', 'without a closing }'],
    ['${input.a..b}', 'empty or invalid segment'],
    ['${input.a.}', 'ends with "."'],
    ['${input.a[]}', 'bad index'],
    ['${input.a[-1]}', 'bad index'],
    ['${input.a[1}', 'bad index'],
    ['${input.a b}', 'unexpected " "'],
    ['${input.${input.b}}', 'nests'],
    ['${input.}', 'needs a parameter name'],
    ['${nodes..result}', 'needs a node id'],
    ['${ input.a }', 'spaces'],
    ['${}', 'is empty'],
  ])('refuses %s as malformed', (text, why) => {
    const parsed = parseTemplate(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problem.code).toBe('malformed_reference');
      expect(parsed.problem.message).toContain(why);
    }
  });

  it.each([
    '${input.__proto__}',
    '${input.a.constructor}',
    '${nodes.prototype.result}',
    '${nodes.a.result.x.__proto__.y}',
  ])('refuses %s as a forbidden path segment', (text) => {
    const parsed = parseTemplate(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem.code).toBe('forbidden_path_segment');
  });
});

describe('exactReference', () => {
  it('is set only for a string that is exactly one reference', () => {
    expect(exactReference('${input.n}')).toEqual({ kind: 'input', name: 'n', path: [] });
    expect(exactReference(' ${input.n}')).toBeUndefined();
    expect(exactReference('${input.n}${input.m}')).toBeUndefined();
    expect(exactReference('${input.n')).toBeUndefined();
  });
});

describe('formatReference and parsePath', () => {
  it('round-trips', () => {
    for (const source of [
      '${input.a}',
      '${input.a.b[0].c}',
      '${nodes.n.result}',
      '${nodes.n.result[0]}',
      '${nodes.n.result.a[3][4].b}',
    ]) {
      const reference = exactReference(source);
      expect(reference).toBeDefined();
      if (reference !== undefined) expect(formatReference(reference)).toBe(source);
    }
  });

  it('parses output paths as the seed writes them', () => {
    expect(parsePath('choices[0].message.content')).toEqual({
      ok: true,
      value: ['choices', 0, 'message', 'content'],
    });
    expect(parsePath('video.url')).toEqual({ ok: true, value: ['video', 'url'] });
    expect(parsePath('a..b').ok).toBe(false);
  });
});

describe('listReferences', () => {
  it('finds every reference with its JSON pointer', () => {
    const inputs = {
      messages: [{ role: 'user', content: '${input.prompt}' }],
      'a/b': 'x ${nodes.n.result.text} ${input.y}',
      n: 3,
      bad: '${nope}',
    };
    expect(
      listReferences(inputs).map(({ pointer, source, exact }) => ({ pointer, source, exact })),
    ).toEqual([
      { pointer: '/messages/0/content', source: '${input.prompt}', exact: true },
      { pointer: '/a~1b', source: '${nodes.n.result.text}', exact: false },
      { pointer: '/a~1b', source: '${input.y}', exact: false },
    ]);
    const { problems } = scanReferences(inputs);
    expect(problems.map(({ pointer, problem }) => [pointer, problem.code])).toEqual([
      ['/bad', 'malformed_reference'],
    ]);
  });

  it('survives cycles and deep nesting', () => {
    const cyclic: Record<string, unknown> = { a: '${input.x}' };
    cyclic.self = cyclic;
    expect(listReferences(cyclic)).toHaveLength(1);
    let deep: unknown = '${input.deep}';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(listReferences(deep)).toHaveLength(1);
  });
});
