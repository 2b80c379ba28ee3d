import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatewayFixture, type GatewayFixture } from '../gateway/gateway-fixture';

const ROOT = join(__dirname, '..', '..', '..');
// What `npx weft` runs: the command `npm ci` linked (a committed file, so it exists on a fresh clone).
const CLI = join(ROOT, 'node_modules', '.bin', 'weft');

interface Outcome {
  code: number;
  stdout: Buffer;
  stderr: string;
}

describe('weft artifacts, built, over a real gateway', () => {
  let fx: GatewayFixture;
  let dir: string;

  /** Runs the built CLI with this gateway and its key; stdout as the bytes it wrote. */
  function weft(...args: string[]): Promise<Outcome> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        {
          encoding: 'buffer',
          env: { ...process.env, WEFT_URL: fx.url, WEFT_API_KEY: fx.apiKey, WEFT_CONFIG: devNull },
        },
        (error, stdout, stderr) => {
          const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
          resolve({ code, stdout, stderr: stderr.toString('utf8') });
        },
      );
    });
  }

  beforeAll(async () => {
    // The test runs what users run: the compiled CLI (tsc -b is a no-op when it is up to date).
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'packages/cli'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    fx = await startGatewayFixture('cli-artifacts');
    dir = await mkdtemp(join(tmpdir(), 'weft-cli-artifacts-'));
  });

  afterAll(async () => {
    await fx?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uploads a file and downloads it again, to a file and to stdout', async () => {
    const bytes = randomBytes(400 * 1024);
    const file = join(dir, 'frame.png');
    await writeFile(file, bytes);

    const uploaded = await weft('artifacts', 'upload', file);
    expect({ code: uploaded.code, stderr: uploaded.stderr }).toEqual({ code: 0, stderr: '' });
    const url = uploaded.stdout.toString('utf8').trim();
    expect(url).toMatch(new RegExp(`^${fx.url}/v1/artifacts/art_[0-9a-z]{22}$`));

    const out = join(dir, 'back.png');
    const saved = await weft('artifacts', 'get', url, '--out', out);
    expect(saved.stdout.toString('utf8')).toBe(
      `Wrote ${bytes.length} bytes (image/png) to ${out}\n`,
    );
    expect((await readFile(out)).equals(bytes)).toBe(true);

    const id = url.split('/').pop() ?? '';
    const piped = await weft('artifacts', 'get', id);
    expect(piped.code).toBe(0);
    expect(piped.stdout.equals(bytes)).toBe(true);

    const described = await weft(
      'artifacts',
      'upload',
      file,
      '--content-type',
      'image/apng',
      '--json',
    );
    expect(JSON.parse(described.stdout.toString('utf8'))).toEqual({
      url: expect.stringMatching(/\/v1\/artifacts\/art_/) as unknown,
      content_type: 'image/apng',
      file_size: bytes.length,
    });
  });

  it('says what the gateway refused, with its code', async () => {
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'hello');
    const refused = await weft('artifacts', 'upload', file, '--content-type', 'not a type');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('invalid_request');
    const missing = await weft('artifacts', 'get', 'art_0000000000000000000000', '--out', file);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('artifact_not_found');
    expect(await readFile(file, 'utf8')).toBe('hello');
  });
});
