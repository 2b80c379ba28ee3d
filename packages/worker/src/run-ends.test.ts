import { envelope, type RunEventEnvelope } from '@weft/core';
import { runEndEnds } from './run-ends';

const cancelledAt = Date.parse('2026-12-07T12:00:00.000Z');
const cancelled: RunEventEnvelope = envelope({
  id: 'evt_1',
  type: 'run.cancelled',
  runId: 'run_a',
  createdAt: cancelledAt,
  payload: { appId: 'app_1', status: 'cancelled', createdAt: cancelledAt - 60_000 },
});
const at = (ms: number) => new Date(cancelledAt + ms).toISOString();

describe('a run end', () => {
  it("ends the run's steps made before it, at the same instant included", () => {
    expect(runEndEnds(cancelled, { runId: 'run_a', createdAt: at(-5_000) })).toBe(true);
    expect(runEndEnds(cancelled, { runId: 'run_a', createdAt: at(0) })).toBe(true);
  });

  it('spares steps a resumed run made after it, and other runs', () => {
    expect(runEndEnds(cancelled, { runId: 'run_a', createdAt: at(1) })).toBe(false);
    expect(runEndEnds(cancelled, { runId: 'run_b', createdAt: at(-5_000) })).toBe(false);
  });
});
