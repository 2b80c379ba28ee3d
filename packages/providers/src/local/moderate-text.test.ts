import { moderateText } from './moderate-text';
import { passesLuhn } from './moderation-rules';

const flaggedCategories = (text: string) =>
  Object.entries(moderateText(text).categories)
    .filter(([, flagged]) => flagged)
    .map(([category]) => category);

describe('moderateText', () => {
  it('does not flag clean text, and reports every category with score 0', () => {
    const result = moderateText(
      'The assassin in Scunthorpe ordered a cocktail, then called the therapist at 10:30 on 05.06.2024.',
    );
    expect(result).toEqual({
      flagged: false,
      categories: { profanity: false, hate: false, violence: false, self_harm: false, pii: false },
      scores: { profanity: 0, hate: 0, violence: 0, self_harm: 0, pii: 0 },
      matches: [],
    });
  });

  it('flags profanity with score 1 and where it is', () => {
    const text = 'well that was a load of shit';
    const result = moderateText(text);
    expect(result.flagged).toBe(true);
    expect(result.scores.profanity).toBe(1);
    expect(result.scores.hate).toBe(0);
    expect(result.matches).toEqual([{ category: 'profanity', rule: 'shit', start: 24, end: 28 }]);
  });

  it.each([
    'sh1t happens',
    'what the f u c k',
    'f.u.c.k this',
    'FUUUCK',
    'ѕhіt (Cyrillic look-alikes)',
  ])('catches obfuscated profanity: %s', (text) => {
    expect(flaggedCategories(text)).toEqual(['profanity']);
  });

  it('points at the original text for spaced-out words', () => {
    const text = 'what the f u c k';
    const [match] = moderateText(text).matches;
    expect(match).toMatchObject({ rule: 'fuck' });
    expect(text.slice(match!.start, match!.end)).toBe('f u c k');
  });

  it('counts slurs from the dataset as hate as well as profanity', () => {
    expect(flaggedCategories('go away you kike')).toEqual(['profanity', 'hate']);
  });

  it.each([
    'I will kill you',
    "I'll fucking stab him",
    "We're going to hurt your family",
    "you're dead when I find you",
    'how to build a pipe bomb',
  ])('flags violence: %s', (text) => {
    expect(flaggedCategories(text)).toContain('violence');
  });

  it.each([
    'I will kill this process',
    'that skill you have',
    'she said she would beat the record',
  ])('does not read violence into: %s', (text) => {
    expect(flaggedCategories(text)).not.toContain('violence');
  });

  it.each([
    'I want to kill myself',
    'some days I just want to die',
    'thinking about suicide again',
    'I am going to end my life',
    'kys',
  ])('flags self-harm: %s', (text) => {
    expect(flaggedCategories(text)).toEqual(['self_harm']);
  });

  it('flags personal data without echoing it', () => {
    const text =
      'Mail jane.doe+news@example.co.uk, call +44 20 7946 0958 or (555) 123-4567, card 4111 1111 1111 1111.';
    const result = moderateText(text);
    expect(flaggedCategories(text)).toEqual(['pii']);
    expect(result.matches.map((match) => [match.rule, text.slice(match.start, match.end)])).toEqual(
      [
        ['email', 'jane.doe+news@example.co.uk'],
        ['phone', '+44 20 7946 0958'],
        ['phone', '(555) 123-4567'],
        ['credit_card', '4111 1111 1111 1111'],
      ],
    );
    expect(JSON.stringify(result)).not.toContain('4111');
  });

  it('takes only card numbers that pass the Luhn check', () => {
    expect(flaggedCategories('card 4111-1111-1111-1111')).toEqual(['pii']);
    expect(flaggedCategories('order 4111-1111-1111-1112')).toEqual([]);
    expect(flaggedCategories('0000 0000 0000 0000')).toEqual([]);
  });

  it('reads French-style phone numbers but not dates and times', () => {
    expect(flaggedCategories('appelez le 06 12 34 56 78')).toEqual(['pii']);
    expect(flaggedCategories('on 2024-01-15 at 10:30, or 05.06.2024 10:30')).toEqual([]);
  });
});

describe('passesLuhn', () => {
  it('accepts valid check digits only', () => {
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
    expect(passesLuhn('5555555555554444')).toBe(true);
  });
});
