/** One dispatched Server-Sent Event. */
export interface ServerSentEvent {
  /** The `event:` field; `message` when the event had none. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen on the stream so far (it carries over to later events), or ''. */
  id: string;
  /** The `retry:` the event set, ms. */
  retry?: number;
}

/**
 * An incremental parser of the `text/event-stream` format (the WHATWG HTML standard's
 * "interpreting an event stream"): feed it text in pieces cut anywhere and it returns the events
 * each piece completes. Lines end in LF, CR or CRLF, even when a CRLF is split across pieces;
 * `data:` lines accumulate; lines starting with `:` are comments; an unfinished event at the end
 * of the stream is dropped, as the standard says.
 */
export class SseParser {
  private buffer = '';
  private started = false;
  /** The last piece ended in CR: an LF starting the next one belongs to that line break. */
  private skipLf = false;
  private eventType = '';
  private data: string[] = [];
  private lastEventId = '';
  private retry: number | undefined;

  /** Called with each comment's text (without the `:`); for keep-alive monitoring and tests. */
  onComment: ((text: string) => void) | undefined;

  /** Parses `text` and returns the events it completes, in order. */
  feed(text: string): ServerSentEvent[] {
    let chunk = text;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (this.skipLf && chunk.length > 0) {
      if (chunk[0] === '\n') chunk = chunk.slice(1);
      this.skipLf = false;
    }
    this.buffer += chunk;
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i += 1) {
      const char = this.buffer[i];
      if (char !== '\n' && char !== '\r') continue;
      const line = this.buffer.slice(start, i);
      if (char === '\r') {
        if (i + 1 === this.buffer.length) this.skipLf = true;
        else if (this.buffer[i + 1] === '\n') i += 1;
      }
      start = i + 1;
      const event = this.processLine(line);
      if (event !== undefined) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private processLine(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.onComment?.(line.slice(1).replace(/^ /, ''));
      return undefined;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        // Unknown fields are ignored.
        break;
    }
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    const hasData = this.data.length > 0;
    const event: ServerSentEvent = {
      event: this.eventType === '' ? 'message' : this.eventType,
      data: this.data.join('\n'),
      id: this.lastEventId,
      ...(this.retry === undefined ? {} : { retry: this.retry }),
    };
    this.eventType = '';
    this.data = [];
    this.retry = undefined;
    return hasData ? event : undefined;
  }
}

/**
 * The events of a `text/event-stream` body, as they arrive. Decodes UTF-8 across chunk
 * boundaries. Ending the iteration early (break, return, throw) cancels the stream, which closes
 * the connection.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  parser: SseParser = new SseParser(),
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        yield* parser.feed(decoder.decode());
        return;
      }
      yield* parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
