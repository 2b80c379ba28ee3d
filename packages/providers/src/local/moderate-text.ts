import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import {
  MODERATION_CATEGORIES,
  type ModerationCategory,
  PATTERN_RULES,
  SLURS,
} from './moderation-rules';

export { MODERATION_CATEGORIES, type ModerationCategory } from './moderation-rules';

/** One place in the text that set a category. */
export interface ModerationMatch {
  category: ModerationCategory;
  /** The dataset word (profanity, hate) or the rule's name (e.g. `threat`, `credit_card`). */
  rule: string;
  /** UTF-16 offsets into the text: `text.slice(start, end)` is what matched. */
  start: number;
  end: number;
}

/** moderateText's verdict: every category is present, true or false. */
export interface ModerationResult {
  /** True when any category is. */
  flagged: boolean;
  categories: Record<ModerationCategory, boolean>;
  /**
   * 1 where a category matched, 0 otherwise: a word list has no calibrated probabilities, so
   * anything in between would be invented.
   */
  scores: Record<ModerationCategory, number>;
  /** What matched, in text order. */
  matches: ModerationMatch[];
}

let profanityMatcher: RegExpMatcher | undefined;

/**
 * Flags profanity, slurs, threats, self-harm and personal data (emails, phone numbers, card
 * numbers) in `text` by word lists and patterns (obscenity's English dataset and
 * moderation-rules.ts), not a model: plain phrasings are caught, paraphrases are not.
 */
export function moderateText(text: string): ModerationResult {
  const matches = [...profanityMatches(text), ...patternMatches(text)].sort(
    (a, b) =>
      a.start - b.start ||
      MODERATION_CATEGORIES.indexOf(a.category) - MODERATION_CATEGORIES.indexOf(b.category),
  );
  const categories = Object.fromEntries(
    MODERATION_CATEGORIES.map((category) => [
      category,
      matches.some((match) => match.category === category),
    ]),
  ) as Record<ModerationCategory, boolean>;
  const scores = Object.fromEntries(
    MODERATION_CATEGORIES.map((category) => [category, categories[category] ? 1 : 0]),
  ) as Record<ModerationCategory, number>;
  return { flagged: Object.values(categories).some(Boolean), categories, scores, matches };
}

function profanityMatches(text: string): ModerationMatch[] {
  profanityMatcher ??= new RegExpMatcher({
    ...englishDataset.build(),
    ...englishRecommendedTransformers,
  });
  const { collapsed, origin } = collapseSpacedLetters(text);
  const found = new Map<string, ModerationMatch>();
  for (const payload of profanityMatcher.getAllMatches(collapsed, true)) {
    const word = englishDataset.getPayloadWithPhraseMetadata(payload).phraseMetadata?.originalWord;
    if (word === undefined) continue;
    const start = origin[payload.startIndex] ?? payload.startIndex;
    // obscenity's endIndex is inclusive.
    const end = (origin[payload.endIndex] ?? payload.endIndex) + 1;
    const categories: ModerationCategory[] = SLURS.has(word)
      ? ['profanity', 'hate']
      : ['profanity'];
    for (const category of categories) {
      // Several patterns of one word can match the same span; report it once.
      found.set(`${category}:${start}:${end}`, { category, rule: word, start, end });
    }
  }
  return [...found.values()];
}

/**
 * Three or more single characters separated by spaces or dots ("f u c k", "s.h.i.t"): the
 * recommended transformers do not skip separators (obscenity leaves that transformer out for its
 * false positives), so such runs are joined here, where the run itself marks the obfuscation.
 */
const SPACED_LETTERS =
  /(?<![\p{L}\p{N}])[\p{L}\p{N}$@!*](?:[ .\-_]+[\p{L}\p{N}$@!*]){2,}(?![\p{L}\p{N}])/gu;

/** The text with spaced-letter runs joined, and for each of its UTF-16 units the original index. */
function collapseSpacedLetters(text: string): { collapsed: string; origin: number[] } {
  let collapsed = '';
  const origin: number[] = [];
  let copied = 0;
  const copy = (from: number, to: number, keep: (unit: string) => boolean) => {
    for (let index = from; index < to; index++) {
      const unit = text[index]!;
      if (!keep(unit)) continue;
      collapsed += unit;
      origin.push(index);
    }
  };
  for (const match of text.matchAll(SPACED_LETTERS)) {
    copy(copied, match.index, () => true);
    copy(match.index, match.index + match[0].length, (unit) => !/[ .\-_]/.test(unit));
    copied = match.index + match[0].length;
  }
  if (copied === 0) return { collapsed: text, origin: [] };
  copy(copied, text.length, () => true);
  return { collapsed, origin };
}

function patternMatches(text: string): ModerationMatch[] {
  const matches: ModerationMatch[] = [];
  for (const { category, rule, pattern, accept } of PATTERN_RULES) {
    for (const match of text.matchAll(pattern)) {
      if (accept !== undefined && !accept(match[0])) continue;
      const start = match.index;
      const end = start + match[0].length;
      // Earlier rules win where personal data overlaps: a card number is not also a phone number.
      const overlaps = matches.some(
        (other) => other.category === category && other.start < end && start < other.end,
      );
      if (category === 'pii' && overlaps) continue;
      matches.push({ category, rule, start, end });
    }
  }
  return matches;
}
