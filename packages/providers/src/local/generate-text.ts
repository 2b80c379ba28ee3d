import { ProviderError } from '../provider-error';

/** A chat message as the text tasks pass it. */
export interface ChatMessage {
  role: string;
  content: string;
}

/** What generateText answers. */
export interface GenerateTextRequest {
  messages: ChatMessage[];
  /** Bounds the echoed input at about 4 characters a token; default: no bound. */
  maxTokens?: number;
}

/** Opens every answer, so nobody reads the template as a model's words. */
export const GENERATED_TEXT_NOTICE =
  '[Weft local provider — no language model is configured; this text is a template of your input]';

/** A system message is only noted, not repeated: it is instructions, not content. */
const SYSTEM_NOTE_CHARACTERS = 80;
const CHARACTERS_PER_TOKEN = 4;
const ELLIPSIS = '…';

/**
 * A deterministic stand-in for a chat model: the notice, a short note of the system message if
 * there is one, then the last user message. maxTokens bounds the echo, never the notice.
 */
export function generateText(request: GenerateTextRequest): string {
  const { messages, maxTokens } = request;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw new ProviderError(
      'invalid_input',
      `maxTokens must be a positive integer, got ${maxTokens}`,
    );
  }
  const system = messages.find((message) => message.role === 'system')?.content.trim();
  const user = messages.findLast((message) => message.role === 'user')?.content.trim();

  const parts: string[] = [];
  if (system) parts.push(`(System instructions noted: "${cut(system, SYSTEM_NOTE_CHARACTERS)}")`);
  parts.push(user ? `You wrote: ${user}` : 'There is no user message to answer.');
  let echo = parts.join(' ');
  if (maxTokens !== undefined) echo = cut(echo, maxTokens * CHARACTERS_PER_TOKEN);
  return `${GENERATED_TEXT_NOTICE} ${echo}`;
}

/** At most `limit` characters (code points, so no emoji is split), ending in … when cut. */
function cut(text: string, limit: number): string {
  const characters = Array.from(text);
  if (characters.length <= limit) return text;
  return (
    characters
      .slice(0, Math.max(0, limit - 1))
      .join('')
      .trimEnd() + ELLIPSIS
  );
}
