import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCaptured } from '../testing/run-captured';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-profiles-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEY = `weft_abcd1234_${'s'.repeat(43)}`;
const OTHER_KEY = `weft_wxyz9876_${'t'.repeat(43)}`;

describe('weft profiles', () => {
  it('saves a profile under XDG_CONFIG_HOME, readable by its owner only', async () => {
    const env = { XDG_CONFIG_HOME: join(dir, 'xdg') };
    const file = join(dir, 'xdg', 'weft', 'config.json');
    const saved = await runCaptured(
      ['profiles', 'set', 'default', '--url', 'http://127.0.0.1:9', '--api-key', KEY],
      env,
    );
    expect(saved).toEqual({
      code: 0,
      out:
        `Saved profile "default" in ${file}: url http://127.0.0.1:9, ` +
        'API key weft_abcd1234_…, admin token (none).\n',
      err: '',
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      profiles: { default: { url: 'http://127.0.0.1:9', apiKey: KEY } },
    });
  });

  it('changes the fields given, removes one given empty, keeps other profiles', async () => {
    const file = join(dir, 'merge.json');
    // A file written by hand, world-readable: the rewrite makes it private.
    await writeFile(
      file,
      JSON.stringify({ profiles: { prod: { url: 'https://prod.test', apiKey: KEY } } }),
      { mode: 0o644 },
    );
    const env = { WEFT_CONFIG: file };
    expect((await runCaptured(['profiles', 'set', 'prod', '--admin-token', 'tok'], env)).code).toBe(
      0,
    );
    expect((await runCaptured(['profiles', 'set', 'prod', '--url', ''], env)).code).toBe(0);
    expect((await runCaptured(['profiles', 'set', 'dev', '--api-key', OTHER_KEY], env)).code).toBe(
      0,
    );
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      profiles: { prod: { apiKey: KEY, adminToken: 'tok' }, dev: { apiKey: OTHER_KEY } },
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('lists profiles with keys by their prefix only, never a secret', async () => {
    const file = join(dir, 'list.json');
    const env = { WEFT_CONFIG: file, WEFT_PROFILE: 'prod' };
    await runCaptured(
      ['profiles', 'set', 'prod', '--url', 'https://prod.test', '--api-key', KEY],
      env,
    );
    await runCaptured(['profiles', 'set', 'ops', '--admin-token', 'secret-token-value'], env);
    const listed = await runCaptured(['profiles', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(`Profiles in ${file}`);
    expect(listed.out).toMatch(/^\* +prod +https:\/\/prod\.test +weft_abcd1234_…$/m);
    expect(listed.out).toMatch(/^ +ops +set$/m);
    expect(listed.out).not.toContain('s'.repeat(43));
    expect(listed.out).not.toContain('secret-token-value');
    const machine = await runCaptured(['profiles', 'list', '--json'], env);
    expect(machine.out).not.toContain('secret-token-value');
    expect(JSON.parse(machine.out)).toEqual({
      path: file,
      profiles: [
        {
          name: 'prod',
          active: true,
          url: 'https://prod.test',
          apiKey: 'weft_abcd1234_…',
          adminToken: false,
        },
        { name: 'ops', active: false, url: null, apiKey: null, adminToken: true },
      ],
    });
    const none = await runCaptured(['profiles', 'list'], { WEFT_CONFIG: join(dir, 'none.json') });
    expect(none.out).toContain('No profiles in');
  });

  it.each([
    [['profiles', 'set', 'prod'], /say what to save: --url, --api-key or --admin-token/],
    [['profiles', 'set', 'prod', '--url', 'ftp://x'], /--url must be an http or https URL/],
    [['profiles', 'set', 'prod', '--api-key', 'sk-123'], /--api-key is not a Weft API key/],
    [['profiles', 'set', '../up', '--url', 'http://x'], /"..\/up" is not a profile name/],
  ])('exits 2 for %p and writes nothing', async (argv, message) => {
    const file = join(dir, 'refused.json');
    const outcome = await runCaptured(argv, { WEFT_CONFIG: file });
    expect(outcome.code).toBe(2);
    expect(outcome.err).toMatch(message);
    await expect(stat(file)).rejects.toThrow('ENOENT');
  });
});
