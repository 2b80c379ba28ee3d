import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';
import { SERVICE_NODE_FLAGS, serviceArguments } from './services';

describe('how services are run', () => {
  it('passes a service its Node flags before its entry point', () => {
    expect(serviceArguments('gateway')).toEqual([
      ...(SERVICE_NODE_FLAGS.gateway ?? []),
      join(repoRoot(), 'services', 'gateway', 'dist', 'main.js'),
    ]);
    expect(serviceArguments('worker')).toEqual([
      join(repoRoot(), 'services', 'worker', 'dist', 'main.js'),
    ]);
  });

  // The deployment files cannot import the flags; they say them in NODE_OPTIONS instead.
  it.each(['docker-compose.yml', 'deploy/k8s/base/gateway.yaml'])(
    "%s runs the gateway with the gateway's Node flags",
    (file) => {
      const text = readFileSync(join(repoRoot(), file), 'utf8');
      const options = [...text.matchAll(/NODE_OPTIONS:?\s*(?:\n\s*value:)?\s*(.+)/g)].map((match) =>
        match[1]!.split(/\s+/),
      );
      const flags = SERVICE_NODE_FLAGS.gateway ?? [];
      expect(flags.length).toBeGreaterThan(0);
      expect(options.some((set) => flags.every((flag) => set.includes(flag)))).toBe(true);
    },
  );
});
