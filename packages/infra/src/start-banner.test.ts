import { startBanner } from './start-banner';

describe('startBanner', () => {
  const banner = startBanner({
    gatewayUrl: 'http://127.0.0.1:8181',
    demoAppId: 'app_1',
    demoApiKey: 'weft_abcd1234_secret',
    serviceMetrics: [{ name: 'worker', url: 'http://127.0.0.1:9464/metrics' }],
  });

  it('names the console and the demo key', () => {
    expect(banner).toContain('Console: http://127.0.0.1:8181/console');
    expect(banner).toContain('Demo app app_1, API key: weft_abcd1234_secret');
    expect(banner).toContain('worker http://127.0.0.1:9464/metrics');
  });

  it('offers a weft run --wait line with the gateway and the demo key', () => {
    expect(banner).toContain(
      '  npx weft run image-generate-v1 --input prompt="a lighthouse at dusk" --wait ' +
        '--url http://127.0.0.1:8181 --api-key weft_abcd1234_secret\n',
    );
    expect(banner).toContain(
      '  npx weft profiles set default --url http://127.0.0.1:8181 --api-key weft_abcd1234_secret',
    );
  });
});
