import nlp from 'compromise';
import Sentiment from 'sentiment';
import { detectAll } from 'tinyld';

/** What analyzeText finds in a text. */
export interface TextAnalysis {
  /** Up to 10 lowercased keywords, most salient first. */
  keywords: string[];
  /** ISO-639-1 code, or 'und' when the text is too short or too mixed to tell. */
  language: string;
  sentiment: {
    /** AFINN score per word, clamped to -1..1; 0 for languages other than English. */
    score: number;
    label: 'negative' | 'neutral' | 'positive';
  };
}

const MAX_KEYWORDS = 10;
/** tinyld's confidence below which a guess is noise (one short word scores about 0.2). */
const MIN_LANGUAGE_ACCURACY = 0.25;
/** Fewer letters than this and any language guess is a coin toss. */
const MIN_LETTERS_FOR_LANGUAGE = 12;
/** |score| at or below which a text reads as neutral. */
const NEUTRAL_BAND = 0.05;

/**
 * Nouns compromise tags that carry no topic. A short, explicit list: the noun filter already
 * drops pronouns, determiners and verbs.
 */
const STOP_NOUNS = new Set([
  'thing',
  'something',
  'anything',
  'everything',
  'nothing',
  'someone',
  'anyone',
  'everyone',
  'somebody',
  'anybody',
  'everybody',
  'nobody',
  'lot',
  'bit',
  'way',
  'kind',
  'sort',
  'stuff',
  'one',
  'ones',
  'time',
]);

const sentiment = new Sentiment();

/**
 * Keywords, language and sentiment of `text`, by word lists and statistics (compromise, tinyld,
 * AFINN-165), not a language model. Keywords and sentiment are English-only: other languages get
 * their most frequent long words as keywords and a neutral sentiment.
 */
export function analyzeText(text: string): TextAnalysis {
  const language = detectLanguage(text);
  const english = language === 'en' || language === 'und';
  return {
    keywords: english ? englishKeywords(text) : frequentWords(text),
    language,
    sentiment: english ? englishSentiment(text) : { score: 0, label: 'neutral' },
  };
}

function detectLanguage(text: string): string {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters < MIN_LETTERS_FOR_LANGUAGE) return 'und';
  const [best] = detectAll(text);
  return best !== undefined && best.accuracy >= MIN_LANGUAGE_ACCURACY ? best.lang : 'und';
}

/**
 * Nouns ranked by how often they occur, ties by first occurrence. Plurals and possessives count
 * under their root ("grinders" and "grinder's" are "grinder"); runs of proper nouns stay
 * together ("new york").
 */
function englishKeywords(text: string): string[] {
  const doc = nlp(text);
  doc.compute('root');
  // `root` is missing from compromise's option types; the variable skips the literal check.
  const options = { terms: { text: true, tags: true, root: true } };
  const phrases = doc.nouns().json(options) as NounPhrase[];
  const candidates: string[] = [];
  for (const phrase of phrases) {
    let properRun: string[] = [];
    const flush = () => {
      if (properRun.length > 0) candidates.push(properRun.join(' '));
      properRun = [];
    };
    for (const term of phrase.terms) {
      const tags = new Set(term.tags);
      const word = keywordForm(term.root ?? term.text);
      if (!tags.has('Noun') || tags.has('Pronoun') || word === '' || STOP_NOUNS.has(word)) {
        flush();
        continue;
      }
      if (tags.has('ProperNoun')) {
        properRun.push(word);
        continue;
      }
      flush();
      candidates.push(word);
    }
    flush();
  }
  return rankByFrequency(candidates.filter((word) => /\p{L}/u.test(word)));
}

interface NounPhrase {
  terms: { text: string; root?: string; tags: string[] }[];
}

/** Lowercased, with the punctuation compromise leaves on a term's edges removed. */
function keywordForm(word: string): string {
  return word
    .toLowerCase()
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    .replace(/['’]s$/u, '');
}

/** Without a part-of-speech tagger for the language, long words stand in for content words. */
function frequentWords(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return rankByFrequency(words.filter((word) => [...word].length >= 4 && /\p{L}/u.test(word)));
}

function rankByFrequency(words: readonly string[]): string[] {
  const counts = new Map<string, { count: number; first: number }>();
  words.forEach((word, index) => {
    const entry = counts.get(word);
    if (entry === undefined) counts.set(word, { count: 1, first: index });
    else entry.count += 1;
  });
  return [...counts.entries()]
    .sort(([, a], [, b]) => b.count - a.count || a.first - b.first)
    .slice(0, MAX_KEYWORDS)
    .map(([word]) => word);
}

function englishSentiment(text: string): TextAnalysis['sentiment'] {
  const { comparative } = sentiment.analyze(text);
  const score = Math.max(-1, Math.min(1, comparative));
  const label = score > NEUTRAL_BAND ? 'positive' : score < -NEUTRAL_BAND ? 'negative' : 'neutral';
  // Rounded so the same text gives the same number however the sum was accumulated; -0 becomes 0.
  return { score: Math.round(score * 1e4) / 1e4 + 0, label };
}
