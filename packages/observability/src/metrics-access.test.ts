import { BoundedLabel, metricsScrapeAllowed, OTHER_LABEL } from './metrics-access';

describe('metricsScrapeAllowed', () => {
  it('lets every scrape in when no token is set', () => {
    expect(metricsScrapeAllowed(undefined, undefined)).toBe(true);
    expect(metricsScrapeAllowed('Bearer anything', undefined)).toBe(true);
  });

  it('wants the token as a bearer credential when one is set', () => {
    expect(metricsScrapeAllowed('Bearer s3cret', 's3cret')).toBe(true);
    expect(metricsScrapeAllowed('bearer   s3cret ', 's3cret')).toBe(true);
    expect(metricsScrapeAllowed(undefined, 's3cret')).toBe(false);
    expect(metricsScrapeAllowed('s3cret', 's3cret')).toBe(false);
    expect(metricsScrapeAllowed('Bearer s3cre', 's3cret')).toBe(false);
    expect(metricsScrapeAllowed('Bearer s3cret2', 's3cret')).toBe(false);
    expect(metricsScrapeAllowed('Basic czNjcmV0', 's3cret')).toBe(false);
  });
});

describe('BoundedLabel', () => {
  it('keeps the first values apart and folds the rest into one', () => {
    const label = new BoundedLabel(2);
    expect(['a', 'b', 'a', 'c', 'b', 'd'].map((value) => label.of(value))).toEqual([
      'a',
      'b',
      'a',
      OTHER_LABEL,
      'b',
      OTHER_LABEL,
    ]);
  });
});
