import { WeftMetrics } from './metrics';
import { runMetricsObserver } from './run-metrics';

describe('runMetricsObserver', () => {
  it('counts runs by workflow, with a ceiling on the workflows named', async () => {
    const metrics = new WeftMetrics('test', { processMetrics: false });
    const observer = runMetricsObserver(metrics, 2);
    const run = (slug: string) => ({ status: 'completed', workflow: { slug, ephemeral: false } });
    for (const slug of ['alpha', 'beta', 'gamma', 'delta', 'alpha']) observer.started(run(slug));
    observer.started({ status: 'pending', workflow: { ephemeral: true } });
    const { body } = await metrics.exposition();
    const started = body.split('\n').filter((line) => line.startsWith('weft_runs_started_total{'));
    expect(started.map((line) => /workflow="([^"]*)"\S* (\d+)/.exec(line)?.slice(1))).toEqual([
      ['alpha', '2'],
      ['beta', '1'],
      ['(other)', '3'],
    ]);
  });
});
