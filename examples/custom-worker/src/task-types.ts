// Two task types of a made-up team, "acme": a quick one that can refuse its input for good, and a
// slow one that stops as soon as its attempt is cancelled.

import { defineTaskType, NonRetriableError } from '@weft/worker';

/** Counts the words of a text; refuses, for good, a text over `max_words`. */
export const wordCount = defineTaskType<
  { text: string; max_words?: number },
  { words: number; longest: string }
>({
  name: 'acme/word-count',
  description: 'Counts the words of a text and finds the longest',
  inputSchema: {
    type: 'object',
    required: ['text'],
    properties: {
      text: { type: 'string', description: 'The text to count' },
      max_words: { type: 'integer', minimum: 1, description: 'Refuse longer texts' },
    },
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    required: ['words', 'longest'],
    properties: { words: { type: 'integer' }, longest: { type: 'string' } },
  },
  async handler({ text, max_words }, { log }) {
    const words = text.split(/\s+/).filter(Boolean);
    if (max_words !== undefined && words.length > max_words) {
      // Another attempt would refuse it too: fail the node now.
      throw new NonRetriableError(`${words.length} words, more than ${max_words}`, {
        code: 'too_many_words',
        details: { words: words.length, max_words },
      });
    }
    const longest = words.reduce((best, word) => (word.length > best.length ? word : best), '');
    log.info('counted', { words: words.length });
    return Promise.resolve({ words: words.length, longest });
  },
});

/** Waits `seconds`, beating as it goes, then echoes its text; a cancel stops it at once. */
export const slowEcho = defineTaskType<
  { text: string; seconds: number },
  { text: string; waited_ms: number }
>({
  name: 'acme/slow-echo',
  description: 'Echoes a text after a while: a stand-in for a long call to a model',
  inputSchema: {
    type: 'object',
    required: ['text', 'seconds'],
    properties: {
      text: { type: 'string' },
      seconds: { type: 'number', minimum: 0, maximum: 3600 },
    },
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    required: ['text', 'waited_ms'],
    properties: { text: { type: 'string' }, waited_ms: { type: 'integer' } },
  },
  timeout: 600,
  // A handler stuck for 30 s without a heartbeat is presumed hung: its attempt fails, and retries.
  heartbeatTimeout: 30,
  async handler({ text, seconds }, { signal, heartbeat }) {
    const started = Date.now();
    while (Date.now() - started < seconds * 1000) {
      // The run cancelled, the deadline passed or the worker stopping: stop now, not later.
      signal.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, seconds * 1000)));
      heartbeat();
    }
    return { text, waited_ms: Date.now() - started };
  },
});
