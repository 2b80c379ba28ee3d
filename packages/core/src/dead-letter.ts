/** Where a dead-lettered message was read from. */
export interface MessageSource {
  topic: string;
  partition: number;
  offset: string;
}

/** What goes to the dead-letter topic: why, from where, by whom, and the message itself. */
export interface DeadLetter {
  code: string;
  reason: string;
  source: MessageSource;
  /** The message as text, cut at 100,000 characters. */
  value: string;
  deadLetteredBy: string;
  /** ISO 8601. */
  at: string;
}

/** The dead-letter record for a message no consumer could handle; `now` from the caller's clock. */
export function deadLetter(
  message: MessageSource & { value: Buffer },
  problem: { code: string; reason: string },
  by: string,
  now: number,
): DeadLetter {
  return {
    ...problem,
    source: { topic: message.topic, partition: message.partition, offset: message.offset },
    value: message.value.toString('utf8').slice(0, 100_000),
    deadLetteredBy: by,
    at: new Date(now).toISOString(),
  };
}
