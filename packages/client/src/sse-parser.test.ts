import { readServerSentEvents, SseParser, type ServerSentEvent } from './sse-parser';

function parseAll(text: string): ServerSentEvent[] {
  return new SseParser().feed(text);
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of readServerSentEvents(stream)) events.push(event);
  return events;
}

/** A stream exercising every rule: types, ids, multi-line data, comments, CR/CRLF, non-ASCII. */
const STREAM =
  '\uFEFF: keep-alive\n' +
  'event: snapshot\nid: 1\ndata: {"a":\ndata:  1}\n\n' +
  ':comment without a space\r\n' +
  'event: node\r\ndata: {"nodeId":"générer","note":"🌅"}\r\nid: 2\r\n\r\n' +
  'data\rdata:\r\r' +
  'retry: 1500\ndata: x\n\n' +
  'id: 3\nevent: end\nunknown: field\ndata:done\n\n' +
  'data: never finished\n';

const EXPECTED: ServerSentEvent[] = [
  { event: 'snapshot', data: '{"a":\n 1}', id: '1' },
  { event: 'node', data: '{"nodeId":"générer","note":"🌅"}', id: '2' },
  { event: 'message', data: '\n', id: '2' },
  { event: 'message', data: 'x', id: '2', retry: 1500 },
  { event: 'end', data: 'done', id: '3' },
];

describe('SseParser', () => {
  it('parses event, data (multi-line), id, retry and comments, dropping an unfinished event', () => {
    const comments: string[] = [];
    const parser = new SseParser();
    parser.onComment = (text) => comments.push(text);
    expect(parser.feed(STREAM)).toEqual(EXPECTED);
    expect(comments).toEqual(['keep-alive', 'comment without a space']);
  });

  it('gives the same events whatever character the text is split at', () => {
    for (let cut = 0; cut <= STREAM.length; cut += 1) {
      const parser = new SseParser();
      const events = [...parser.feed(STREAM.slice(0, cut)), ...parser.feed(STREAM.slice(cut))];
      expect(events).toEqual(EXPECTED);
    }
  });

  it('gives the same events fed one character at a time', () => {
    const parser = new SseParser();
    const events = [...STREAM].flatMap((char) => parser.feed(char));
    expect(events).toEqual(EXPECTED);
  });

  it('treats a CR at the end of a piece and an LF at the start of the next as one line break', () => {
    const parser = new SseParser();
    expect(parser.feed('data: a\r')).toEqual([]);
    expect(parser.feed('\n\r')).toEqual([{ event: 'message', data: 'a', id: '' }]);
    expect(parser.feed('\ndata: b\n\n')).toEqual([{ event: 'message', data: 'b', id: '' }]);
  });

  it('dispatches nothing for a blank line without data, and resets the event type', () => {
    expect(parseAll('event: x\n\ndata: y\n\n')).toEqual([{ event: 'message', data: 'y', id: '' }]);
  });

  it('ignores an id holding NUL and a retry that is not a number', () => {
    expect(parseAll('id: 7\n\nid: a\0b\nretry: soon\ndata: z\n\n')).toEqual([
      { event: 'message', data: 'z', id: '7' },
    ]);
  });
});

describe('readServerSentEvents', () => {
  const bytes = new TextEncoder().encode(STREAM);

  it('decodes UTF-8 split at any byte, even inside a character', async () => {
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      const events = await collect(streamOf([bytes.slice(0, cut), bytes.slice(cut)]));
      expect(events).toEqual(EXPECTED);
    }
  });

  it('handles a byte at a time and three-way splits', async () => {
    expect(await collect(streamOf([...bytes].map((byte) => Uint8Array.of(byte))))).toEqual(
      EXPECTED,
    );
    for (let a = 0; a < bytes.length; a += 7) {
      for (let b = a; b <= bytes.length; b += 5) {
        const chunks = [bytes.slice(0, a), bytes.slice(a, b), bytes.slice(b)];
        expect(await collect(streamOf(chunks))).toEqual(EXPECTED);
      }
    }
  });

  it('cancels the stream when the reader stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: tick\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of readServerSentEvents(stream)) {
      expect(event.data).toBe('tick');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
