import { WeftApiError } from './errors';
import type { ServerSentEvent } from './sse-parser';
import type { RunEvent } from './types';

const RUN_EVENT_TYPES: ReadonlySet<string> = new Set(['snapshot', 'node', 'run', 'end']);

/**
 * The run event a Server-Sent Event carries, or undefined for an event type this client does not
 * know (a newer server may send more; they are skipped, not errors).
 */
export function runEventOf(message: ServerSentEvent): RunEvent | undefined {
  if (!RUN_EVENT_TYPES.has(message.event)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    throw new WeftApiError({
      status: 200,
      code: 'invalid_event',
      message: `The run's "${message.event}" event is not JSON`,
      details: { event: message.event, id: message.id, excerpt: message.data.slice(0, 200) },
    });
  }
  return {
    type: message.event,
    ...(message.id === '' ? {} : { id: message.id }),
    data,
  } as RunEvent;
}
