import { ProviderError } from '../provider-error';
import { GENERATED_TEXT_NOTICE, generateText } from './generate-text';

describe('generateText', () => {
  it('says what it is, then echoes the last user message', () => {
    const text = generateText({
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'an answer' },
        { role: 'user', content: '  Summarise the report.  ' },
      ],
    });
    expect(text).toBe(`${GENERATED_TEXT_NOTICE} You wrote: Summarise the report.`);
    expect(text).toMatch(/^\[Weft local provider — no language model is configured/);
  });

  it('notes the system message briefly', () => {
    const text = generateText({
      messages: [
        { role: 'system', content: `You are a pirate. ${'Arr. '.repeat(40)}` },
        { role: 'user', content: 'Hello' },
      ],
    });
    expect(text).toContain('(System instructions noted: "You are a pirate. Arr.');
    expect(text).toMatch(/…"\) You wrote: Hello$/);
    expect(text).not.toContain('Arr. '.repeat(20));
  });

  it('is deterministic', () => {
    const request = { messages: [{ role: 'user', content: 'same input' }], maxTokens: 50 };
    expect(generateText(request)).toBe(generateText(request));
  });

  it('bounds the echo by maxTokens × 4 characters but always keeps the notice', () => {
    const text = generateText({
      messages: [{ role: 'user', content: 'word '.repeat(500) }],
      maxTokens: 10,
    });
    expect(text.startsWith(GENERATED_TEXT_NOTICE)).toBe(true);
    const echo = text.slice(GENERATED_TEXT_NOTICE.length + 1);
    expect(Array.from(echo).length).toBeLessThanOrEqual(40);
    expect(echo).toMatch(/^You wrote: word word .*…$/);
  });

  it('never splits an emoji when cutting', () => {
    const text = generateText({
      messages: [{ role: 'user', content: '😀'.repeat(100) }],
      maxTokens: 5,
    });
    expect(text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('says so when there is no user message', () => {
    expect(generateText({ messages: [{ role: 'system', content: 'Be brief.' }] })).toBe(
      `${GENERATED_TEXT_NOTICE} (System instructions noted: "Be brief.") There is no user message to answer.`,
    );
  });

  it.each([0, -3, 1.5])('refuses maxTokens %p as invalid_input', (maxTokens) => {
    expect(() => generateText({ messages: [], maxTokens })).toThrow(ProviderError);
  });
});
