import { startHealthServer } from './health';
import { WeftMetrics } from './metrics';

describe('startHealthServer', () => {
  it('serves /metrics only with METRICS_TOKEN when one is set, and health without it', async () => {
    const metrics = new WeftMetrics('test', { processMetrics: false });
    metrics.runsStarted.inc({ workflow: 'scraped' });
    const health = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      metrics,
      checks: {},
      metricsToken: 'scrape-s3cret',
    });
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${health.port}${path}`, { headers });
    try {
      const refused = await get('/metrics');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect(await refused.text()).not.toContain('scraped');
      expect((await get('/metrics', { authorization: 'Bearer wrong' })).status).toBe(401);
      const allowed = await get('/metrics', { authorization: 'Bearer scrape-s3cret' });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain('workflow="scraped"');
      expect((await get('/healthz')).status).toBe(200);
      expect((await get('/readyz')).status).toBe(200);
    } finally {
      await health.close();
    }
  });
});
