import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_WEFT_URL } from '@weft/client';
import type { CliContext, CommandArgs } from './command';
import { CommandError, UsageError } from './command';
import { configPath } from './config-file';
import { connectionSettingsOf } from './connection-settings';

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-settings-'));
  file = join(dir, 'config.json');
  await writeFile(
    file,
    JSON.stringify({
      profiles: {
        default: { url: 'http://default.test', apiKey: 'weft_default_key' },
        prod: { url: 'https://prod.test', apiKey: 'weft_prod_key', adminToken: 'prod-token' },
      },
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function settings(values: CommandArgs['values'], env: NodeJS.ProcessEnv) {
  const context: CliContext = { env, stdout: () => undefined, stderr: () => undefined };
  return connectionSettingsOf(values, context);
}

describe('connectionSettingsOf', () => {
  it('takes flags over the environment, the environment over the profile, then the default', () => {
    const env = { WEFT_CONFIG: file };
    expect(settings({}, env)).toEqual({
      url: 'http://default.test',
      apiKey: 'weft_default_key',
      profile: 'default',
    });
    const withEnv = { ...env, WEFT_URL: 'http://env.test', WEFT_ADMIN_TOKEN: 'env-token' };
    expect(settings({ profile: 'prod' }, withEnv)).toEqual({
      url: 'http://env.test',
      apiKey: 'weft_prod_key',
      adminToken: 'env-token',
      profile: 'prod',
    });
    expect(
      settings({ profile: 'prod', url: 'http://flag.test', 'admin-token': 'flag-token' }, withEnv),
    ).toMatchObject({ url: 'http://flag.test', adminToken: 'flag-token' });
    expect(settings({}, { WEFT_CONFIG: join(dir, 'none.json') })).toEqual({
      url: DEFAULT_WEFT_URL,
    });
    // An empty file (/dev/null) holds no profiles.
    expect(settings({}, { WEFT_CONFIG: devNull })).toEqual({ url: DEFAULT_WEFT_URL });
  });

  it('uses the profile WEFT_PROFILE names, which --profile overrides', () => {
    const env = { WEFT_CONFIG: file, WEFT_PROFILE: 'prod' };
    expect(settings({}, env)).toMatchObject({ url: 'https://prod.test', profile: 'prod' });
    expect(settings({ profile: 'default' }, env)).toMatchObject({ profile: 'default' });
  });

  it('refuses a named profile the file lacks, saying which it has (exit 2)', () => {
    const missing = () => settings({ profile: 'staging' }, { WEFT_CONFIG: file });
    expect(missing).toThrow(UsageError);
    expect(missing).toThrow(
      `there is no profile "staging": ${file} has default, prod; ` +
        'create it with weft profiles set staging --url <url> --api-key <key>',
    );
    const noFile = join(dir, 'absent.json');
    expect(() => settings({}, { WEFT_CONFIG: noFile, WEFT_PROFILE: 'prod' })).toThrow(
      `there is no profile "prod" (from WEFT_PROFILE): there is no config file at ${noFile}`,
    );
  });

  it('names the file and the entry when the config file is wrong', async () => {
    const bad = join(dir, 'bad.json');
    const cases: [string, string][] = [
      ['{"profiles": {"default": {"api_key": "k"}}}', 'has "api_key", which is not a setting'],
      ['{"profiles": {"default": {"url": 8080}}}', 'profile "default": url must be a string'],
      ['{"profile": {}}', '"profile" is not a setting'],
      ['{"profiles": {"__proto__": {}}}', '"__proto__" is not a profile name'],
      ['url = x', 'is not JSON'],
    ];
    for (const [text, message] of cases) {
      await writeFile(bad, text);
      const read = () => settings({}, { WEFT_CONFIG: bad });
      expect(read).toThrow(CommandError);
      expect(read).toThrow(message);
    }
  });
});

describe('configPath', () => {
  it('is WEFT_CONFIG, else under an absolute XDG_CONFIG_HOME, else under ~/.config', () => {
    expect(configPath({ WEFT_CONFIG: '/etc/weft.json', XDG_CONFIG_HOME: '/x' })).toBe(
      '/etc/weft.json',
    );
    expect(configPath({ XDG_CONFIG_HOME: '/x', HOME: '/home/a' })).toBe('/x/weft/config.json');
    expect(configPath({ XDG_CONFIG_HOME: 'relative', HOME: '/home/a' })).toBe(
      '/home/a/.config/weft/config.json',
    );
    expect(configPath({})).toBeUndefined();
  });
});
