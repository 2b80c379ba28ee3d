/** One Server-Sent Event as a test reads it: its id, its name and its JSON data. */
export interface ReadEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

/** The complete events in a Server-Sent Events text, in order; comments are skipped. */
export function parseServerSentEvents(text: string): ReadEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('event: '))
    .map((block) => {
      const line = (name: string) =>
        block
          .split('\n')
          .find((candidate) => candidate.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? '';
      return {
        id: Number(line('id')),
        event: line('event'),
        data: JSON.parse(line('data')) as Record<string, unknown>,
      };
    });
}
