import { analyzeText } from './analyze-text';

describe('analyzeText', () => {
  it('reads a positive English review: its nouns, English, positive', () => {
    const analysis = analyzeText(
      'I absolutely love this coffee grinder. The grinders are quiet, the burrs are sharp and ' +
        'the coffee tastes amazing. Great price for the quality, shipped fast from New York.',
    );
    expect(analysis.language).toBe('en');
    expect(analysis.sentiment.label).toBe('positive');
    expect(analysis.sentiment.score).toBeGreaterThan(0);
    expect(analysis.sentiment.score).toBeLessThanOrEqual(1);
    // Counted under their roots, most frequent first; pronouns and adjectives are not keywords.
    expect(analysis.keywords.slice(0, 2)).toEqual(['coffee', 'grinder']);
    expect(analysis.keywords).toEqual(
      expect.arrayContaining(['burr', 'price', 'quality', 'new york']),
    );
    expect(analysis.keywords).not.toContain('i');
    expect(analysis.keywords).not.toContain('great');
  });

  it('reads a negative sentence as negative', () => {
    const analysis = analyzeText('The service was terrible, the food was cold and I hated it.');
    expect(analysis.sentiment.label).toBe('negative');
    expect(analysis.sentiment.score).toBeLessThan(0);
    expect(analysis.keywords).toEqual(['service', 'food']);
  });

  it('reads plain facts as neutral', () => {
    expect(analyzeText('The train leaves the station at nine in the morning.').sentiment).toEqual({
      score: 0,
      label: 'neutral',
    });
  });

  it('clamps the score to -1..1', () => {
    expect(analyzeText('Awesome!').sentiment.score).toBe(1);
    expect(analyzeText('Horrible disaster.').sentiment.score).toBe(-1);
  });

  it('detects French and German, with frequent long words as keywords', () => {
    const french = analyzeText(
      'Le chat dort sur le canapé pendant que les enfants jouent dans le jardin avec le chat.',
    );
    expect(french.language).toBe('fr');
    expect(french.keywords[0]).toBe('chat');
    expect(french.keywords).toContain('canapé');
    expect(french.sentiment).toEqual({ score: 0, label: 'neutral' });

    const german = analyzeText(
      'Die Katze schläft auf dem Sofa, während die Kinder im Garten spielen.',
    );
    expect(german.language).toBe('de');
    expect(german.keywords).toEqual(expect.arrayContaining(['katze', 'schläft', 'garten']));
  });

  it("says 'und' when the text is too short to tell", () => {
    expect(analyzeText('hello').language).toBe('und');
    expect(analyzeText('').language).toBe('und');
    expect(analyzeText('12345 678').language).toBe('und');
    expect(analyzeText('').keywords).toEqual([]);
  });

  it('keeps at most 10 distinct keywords', () => {
    const nouns = 'apple banana cherry grape lemon mango melon olive peach pear plum'.split(' ');
    const keywords = analyzeText(nouns.map((noun) => `The ${noun} is here.`).join(' ')).keywords;
    expect(keywords).toHaveLength(10);
    expect(new Set(keywords).size).toBe(10);
  });
});
