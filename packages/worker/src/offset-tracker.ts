import type { TopicPartitionOffset } from '@weft/kafka';

interface PartitionState {
  inFlight: Set<bigint>;
  /** The highest offset taken so far. */
  highest: bigint;
  /** The position last committed. */
  committed?: bigint;
}

/**
 * Tracks the messages a worker has taken but not finished, per partition, so offsets are committed
 * only below the oldest unfinished one: a crash then re-delivers exactly the unfinished steps.
 */
export class OffsetTracker {
  private readonly partitions = new Map<string, PartitionState>();

  begin(topic: string, partition: number, offset: string): void {
    const state = this.state(topic, partition);
    const value = BigInt(offset);
    state.inFlight.add(value);
    if (value > state.highest) state.highest = value;
  }

  end(topic: string, partition: number, offset: string): void {
    this.partitions.get(key(topic, partition))?.inFlight.delete(BigInt(offset));
  }

  /** How many taken messages are unfinished, across partitions. */
  get inFlight(): number {
    let count = 0;
    for (const state of this.partitions.values()) count += state.inFlight.size;
    return count;
  }

  /**
   * Positions that moved since the last commit: each partition's oldest unfinished offset, or one
   * past the highest taken when none is unfinished (Kafka commits the next offset to read).
   */
  committable(): TopicPartitionOffset[] {
    const positions: TopicPartitionOffset[] = [];
    for (const [name, state] of this.partitions) {
      let position = state.highest + 1n;
      for (const offset of state.inFlight) if (offset < position) position = offset;
      if (position !== state.committed) {
        const at = name.lastIndexOf(':');
        positions.push({
          topic: name.slice(0, at),
          partition: Number(name.slice(at + 1)),
          offset: position.toString(),
        });
      }
    }
    return positions;
  }

  /** Records that `positions` were committed, so they are not offered again. */
  markCommitted(positions: TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of positions) {
      const state = this.partitions.get(key(topic, partition));
      if (state) state.committed = BigInt(offset);
    }
  }

  private state(topic: string, partition: number): PartitionState {
    const name = key(topic, partition);
    let state = this.partitions.get(name);
    if (!state) {
      state = { inFlight: new Set(), highest: -1n };
      this.partitions.set(name, state);
    }
    return state;
  }
}

function key(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}
