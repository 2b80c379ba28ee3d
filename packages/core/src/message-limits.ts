/**
 * How large Weft's Kafka messages may be. A broker refuses a record batch over its
 * `max.message.bytes` (1,048,588 bytes unless configured), and a refused step message would leave
 * its node waiting forever, so the engine checks sizes before it publishes.
 */

/** The largest message Weft publishes: under the broker default, with room for batch headers. */
export const MAX_MESSAGE_BYTES = 1_000_000;

/**
 * The largest step inputs or output, as JSON: a message less the room its envelope takes (ids,
 * timestamps, trace context, worker id, an error's message).
 */
export const MAX_STEP_PAYLOAD_BYTES = MAX_MESSAGE_BYTES - 32 * 1024;
