import type { EnglishProfaneWord } from 'obscenity';

/** The categories moderateText reports, always all of them. */
export type ModerationCategory = 'profanity' | 'hate' | 'violence' | 'self_harm' | 'pii';

export const MODERATION_CATEGORIES: readonly ModerationCategory[] = [
  'profanity',
  'hate',
  'violence',
  'self_harm',
  'pii',
];

/**
 * Words in obscenity's English dataset that are slurs against people for their race, ethnicity,
 * religion, sexuality, gender identity or disability: they count as `hate` as well as profanity.
 */
export const SLURS: ReadonlySet<EnglishProfaneWord> = new Set<EnglishProfaneWord>([
  'abeed',
  'abo',
  'africoon',
  'arabush',
  'boonga',
  'chingchong',
  'chink',
  'dyke',
  'fag',
  'kike',
  'negro',
  'nigger',
  'retard',
  'spastic',
  'tranny',
]);

/** One entry of a word list: a pattern, and optionally a check the pattern alone cannot make. */
export interface PatternRule {
  category: Exclude<ModerationCategory, 'profanity'>;
  /** Names what matched in the result, so the matched text (say, a card number) is not echoed. */
  rule: string;
  /** Global and case-insensitive; word boundaries keep "skill you" from reading as "kill you". */
  pattern: RegExp;
  accept?: (match: string) => boolean;
}

const INTENT = String.raw`(?:\s*['’]ll|\s+will|\s+shall|(?:\s*['’]m|\s+am|\s*['’]re|\s+are)\s+(?:going\s+to|gonna)|\s+gonna|\s+want\s+to|\s+wanna)`;
const HARM = String.raw`(?:kill|murder|shoot|stab|strangle|choke|slaughter|behead|beat|hurt|burn|bomb)`;
const TARGET = String.raw`(?:you|u|ya|him|her|them|y['’]?all|everyone|everybody|all\s+of\s+you|your\s+(?:family|kids?|children|wife|husband|mother|mom|father|dad))`;

/**
 * Word lists, not a model: they catch the plain phrasings below and nothing else. Each pattern
 * was written for this file; extend a list when a phrasing it misses matters.
 */
export const PATTERN_RULES: readonly PatternRule[] = [
  {
    category: 'violence',
    rule: 'threat',
    // "I will kill you", "we're gonna hurt them", "I'll fucking stab him": first person, intent,
    // a harm verb (one word may sit in between), a person as the target.
    pattern: new RegExp(String.raw`\b(?:i|we)${INTENT}\s+(?:\w+\s+)?${HARM}\s+${TARGET}\b`, 'giu'),
  },
  {
    category: 'violence',
    rule: 'death_threat',
    pattern: /\byou(?:['’]re|\s+are)\s+(?:so\s+)?(?:dead|going\s+to\s+die|gonna\s+die)\b/giu,
  },
  {
    category: 'violence',
    rule: 'bomb_making',
    pattern: /\b(?:make|build|assemble)\s+(?:a\s+)?(?:pipe\s+)?bomb\b/giu,
  },
  {
    category: 'self_harm',
    rule: 'self_harm',
    pattern: /\b(?:kill|hurt|cut|harm|starve|hang)\s+my\s*self\b|\bself[-\s]?harm(?:ing)?\b/giu,
  },
  {
    category: 'self_harm',
    rule: 'suicide',
    pattern:
      /\b(?:end|take)\s+my\s+(?:own\s+)?life\b|\bsuicid(?:e|al)\b|\b(?:i|i['’]m|i\s+am)\s+(?:\w+\s+)?(?:want\s+to|wanna|going\s+to|gonna|ready\s+to|planning\s+to)\s+die\b/giu,
  },
  {
    category: 'self_harm',
    rule: 'encouragement',
    pattern: /\b(?:kill|hang)\s+(?:your\s*self|yourselves)\b|\bkys\b/giu,
  },
  {
    category: 'pii',
    rule: 'email',
    pattern: /(?<![\w.+-])[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b/giu,
  },
  {
    category: 'pii',
    rule: 'credit_card',
    // 13 to 19 digits, spaces or dashes allowed between them; the Luhn check weeds out most
    // other long numbers (order ids, phone numbers).
    pattern: /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/gu,
    accept: (match) => {
      const digits = match.replace(/\D/g, '');
      return /[1-9]/.test(digits) && passesLuhn(digits);
    },
  },
  {
    category: 'pii',
    rule: 'phone',
    // International (+44 20 7946 0958), North American ((555) 123-4567, 555.123.4567) and
    // national with a trunk 0 (020 7946 0958, 06 12 34 56 78). The last needs one separator
    // throughout, so "05.06.2024 10" (a date and an hour) is not a number.
    pattern:
      /(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?!\w)|(?<!\w)(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\w)|(?<!\w)0\d{1,4}([ .-])\d{2,6}(?:\1\d{2,4}){0,3}(?!\w)/gu,
    accept: (match) => {
      const digits = match.replace(/\D/g, '').length;
      return digits >= 9 && digits <= 15;
    },
  },
];

/** The check digit test every payment card number passes (ISO/IEC 7812). */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
