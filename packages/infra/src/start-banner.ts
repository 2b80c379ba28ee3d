/** What `npm start` knows once the system answers, for its banner. */
export interface StartFacts {
  /** The gateway, e.g. `http://127.0.0.1:8080`. */
  gatewayUrl: string;
  demoAppId: string;
  demoApiKey: string;
  /** Each service's metrics endpoint besides the gateway's. */
  serviceMetrics: readonly { name: string; url: string }[];
}

/** The first run the banner offers: the built-in image pipeline, on the offline local provider. */
const DEMO_RUN = 'run image-generate-v1 --input prompt="a lighthouse at dusk" --wait';

/**
 * What `npm start` prints once the system is up: where the API and the console are, the demo
 * app's key, and the commands to try it, which README.md's quick start repeats.
 */
export function startBanner(facts: StartFacts): string {
  const { gatewayUrl, demoApiKey } = facts;
  const connection = `--url ${gatewayUrl} --api-key ${demoApiKey}`;
  return [
    `Weft is up: ${gatewayUrl}`,
    `Console: ${gatewayUrl}/console (sign in with the demo app's API key)`,
    `Demo app ${facts.demoAppId}, API key: ${demoApiKey}`,
    `Health and metrics: ${gatewayUrl}/metrics; ` +
      facts.serviceMetrics.map(({ name, url }) => `${name} ${url}`).join(', '),
    'Try the image pipeline (local provider, no keys needed), following each step live:',
    `  npx weft ${DEMO_RUN} ${connection}`,
    'Save the URL and key in a profile to leave them out of every command:',
    `  npx weft profiles set default ${connection}`,
    'Press Ctrl-C to stop.',
  ].join('\n');
}
