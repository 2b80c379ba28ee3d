import { createLogger } from '@weft/observability';
import { ApiError } from './api-error';
import { LiveStreams, MAX_UNSENT_BYTES, type StreamSocket } from './live-streams';

/** A socket that keeps what was written, and how much the network has not taken yet. */
class Socket implements StreamSocket {
  written = '';
  ended = false;
  writableLength = 0;
  write(chunk: string | Uint8Array): boolean {
    this.written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }
  end(): void {
    this.ended = true;
  }
}

const quiet = createLogger('test', { level: 'error' });
const alice = { appId: 'app_a', keyId: 'key_a1' };
const alice2 = { appId: 'app_a', keyId: 'key_a2' };
const bob = { appId: 'app_b', keyId: 'key_b1' };

function refusal(open: () => unknown): Record<string, unknown> {
  try {
    open();
  } catch (error) {
    if (error instanceof ApiError) return { code: error.code, ...error.details };
    throw error;
  }
  throw new Error('admitted');
}

describe('LiveStreams', () => {
  let streams: LiveStreams;
  afterEach(() => streams.close());

  it('admits so many streams per key and per app, and makes room as streams end', () => {
    streams = new LiveStreams({
      maxPerKey: 2,
      maxPerApp: 3,
      revokedAmong: async () => [],
      logger: quiet,
    });
    const first = streams.admit(alice, new Socket());
    streams.admit(alice, new Socket());
    expect(refusal(() => streams.admit(alice, new Socket()))).toEqual({
      code: 'too_many_streams',
      scope: 'key',
      limit: 2,
    });
    streams.admit(alice2, new Socket());
    expect(refusal(() => streams.admit(alice2, new Socket()))).toEqual({
      code: 'too_many_streams',
      scope: 'app',
      limit: 3,
    });
    // Another app is not held back by this one.
    streams.admit(bob, new Socket());
    first.end();
    first.end();
    streams.admit(alice2, new Socket());
    expect(streams.size).toBe(4);
  });

  it('ends a revoked key’s streams, and only those, telling whoever listens once', () => {
    streams = new LiveStreams({ revokedAmong: async () => [], logger: quiet });
    const sockets = [new Socket(), new Socket(), new Socket()];
    const [one, two] = [streams.admit(alice, sockets[0]!), streams.admit(alice, sockets[1]!)];
    streams.admit(alice2, sockets[2]!);
    const ended: string[] = [];
    one.onEnd(() => ended.push('one'));
    two.onEnd(() => ended.push('two'));
    streams.keyRevoked(alice.keyId);
    one.write('late');
    expect(sockets.map((socket) => socket.ended)).toEqual([true, true, false]);
    expect(sockets[0]!.written).toBe('');
    expect(ended).toEqual(['one', 'two']);
    // Listening after the end still hears of it.
    one.onEnd(() => ended.push('one, late'));
    expect(ended).toEqual(['one', 'two', 'one, late']);
  });

  it('asks for the revoked keys among those of open streams in one call, and ends their streams', async () => {
    const asked: string[][] = [];
    streams = new LiveStreams({
      revokedAmong: async (keyIds) => {
        asked.push([...keyIds]);
        return keyIds.filter((id) => id === bob.keyId);
      },
      logger: quiet,
      keyCheckMs: 20,
    });
    const sockets = [new Socket(), new Socket(), new Socket()];
    streams.admit(alice, sockets[0]!);
    streams.admit(bob, sockets[1]!);
    streams.admit(bob, sockets[2]!);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sockets.map((socket) => socket.ended)).toEqual([false, true, true]);
    expect(asked[0]?.sort()).toEqual([alice.keyId, bob.keyId].sort());
  });

  it('ends the stream of a reader that fell too far behind', () => {
    streams = new LiveStreams({ revokedAmong: async () => [], logger: quiet });
    const slow = new Socket();
    const stream = streams.admit(alice, slow);
    stream.write('event 1');
    expect(slow.ended).toBe(false);
    slow.writableLength = MAX_UNSENT_BYTES + 1;
    stream.write('event 2');
    expect(slow.ended).toBe(true);
    expect(streams.size).toBe(0);
  });
});
