import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
/** The local provider's heavy libraries, by the folder each loads from. */
const HEAVY = /node_modules[\\/](sharp|@resvg|compromise|obscenity|tinyld|sentiment)[\\/]/;

/** Runs `script` in a fresh Node on the built packages; it prints what it finds as JSON. */
function inFreshNode(script: string): unknown {
  const output = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(output) as unknown;
}

describe('the local provider', () => {
  beforeAll(() => {
    // The built packages, as a worker runs them (tsc -b is a no-op when they are up to date).
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-b', 'packages/steps'],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
  });

  it('is not loaded with the step handlers, only when a step first needs it', () => {
    const loaded = inFreshNode(`
      const heavy = () => Object.keys(require.cache).filter((file) => ${HEAVY}.test(file)).length;
      const { createStepHandlers } = require('./packages/steps/dist/index.js');
      const { localProvider } = require('./packages/providers/dist/index.js');
      createStepHandlers({ providers: {}, secrets: undefined });
      const before = heavy();
      localProvider().then(async (local) => {
        const after = heavy();
        const again = await localProvider();
        console.log(JSON.stringify({ before, after, same: again === local,
          sentiment: local.analyzeText('a lovely, wonderful day').sentiment.label }));
      });
    `);
    expect(loaded).toEqual({
      before: 0,
      after: expect.any(Number) as unknown,
      same: true,
      sentiment: 'positive',
    });
    expect((loaded as { after: number }).after).toBeGreaterThan(3);
  });
});
