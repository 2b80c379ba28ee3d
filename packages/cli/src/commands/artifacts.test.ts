import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaTypeOf } from '../media-types';
import { apiError, json, startFakeApi, type FakeApi } from '../testing/fake-api';
import { runCaptured, type CapturedRun } from '../testing/run-captured';

let api: FakeApi;
let dir: string;

beforeAll(async () => {
  api = await startFakeApi();
  dir = await mkdtemp(join(tmpdir(), 'weft-artifacts-'));
});

afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  api.requests.length = 0;
  api.routes.clear();
});

function weft(argv: string[]): Promise<CapturedRun> {
  return runCaptured(argv, { WEFT_URL: api.url, WEFT_API_KEY: 'weft_testtest_key' });
}

const STORED = {
  url: 'http://weft.test/v1/artifacts/art_1',
  content_type: 'image/png',
  file_size: 4,
};

describe('weft artifacts upload', () => {
  it('sends the file as it is, typed by its extension, and prints the URL', async () => {
    const file = join(dir, 'Photo.PNG');
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    await writeFile(file, bytes);
    api.routes.set('POST /v1/artifacts', (_request, response) => json(response, 201, STORED));

    expect(await weft(['artifacts', 'upload', file])).toEqual({
      code: 0,
      out: `${STORED.url}\n`,
      err: '',
    });
    const [sent] = api.requests;
    expect(sent?.headers['content-type']).toBe('image/png');
    expect(sent?.headers['x-api-key']).toBe('weft_testtest_key');
    expect(sent?.body.equals(bytes)).toBe(true);

    const typed = await weft([
      ...['artifacts', 'upload', file],
      ...['--content-type', 'application/x-thing', '--run', 'run_1'],
    ]);
    expect(typed.code).toBe(0);
    expect(api.requests[1]).toMatchObject({
      url: '/v1/artifacts?runId=run_1',
      headers: { 'content-type': 'application/x-thing' },
    });
    const asJson = await weft(['artifacts', 'upload', file, '--json']);
    expect(JSON.parse(asJson.out)).toEqual(STORED);
  });

  it('fails with the API’s error, and on a file it cannot read', async () => {
    const file = join(dir, 'big.bin');
    await writeFile(file, 'x'.repeat(10));
    api.routes.set('POST /v1/artifacts', (_request, response) =>
      apiError(response, 413, 'artifact_too_large', 'The artifact is larger than 4 bytes', {
        limitBytes: 4,
      }),
    );
    const refused = await weft(['artifacts', 'upload', file]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('artifact_too_large');
    expect(api.requests[0]?.headers['content-type']).toBe('application/octet-stream');

    const missing = await weft(['artifacts', 'upload', join(dir, 'nowhere.png')]);
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toContain('ENOENT');
    expect((await weft(['artifacts', 'upload', dir])).err).toContain('is not a file');
    expect((await weft(['artifacts', 'upload', file, '--content-type', ' '])).code).toBe(2);
    expect(api.requests).toHaveLength(1);
  });
});

describe('weft artifacts get', () => {
  it('writes the bytes to --out, by id or by URL', async () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    api.routes.set('GET /v1/artifacts/art_1', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', etag: '"e"' });
      response.end(bytes);
    });
    const out = join(dir, 'out.bin');
    expect(await weft(['artifacts', 'get', 'art_1', '--out', out])).toEqual({
      code: 0,
      out: `Wrote 6 bytes (application/octet-stream) to ${out}\n`,
      err: '',
    });
    expect((await readFile(out)).equals(bytes)).toBe(true);
    const described = await weft(['artifacts', 'get', STORED.url, '--out', out, '--json']);
    expect(JSON.parse(described.out)).toEqual({
      out,
      contentType: 'application/octet-stream',
      size: 6,
      etag: '"e"',
    });
    expect(api.requests.map((request) => request.url)).toEqual([
      '/v1/artifacts/art_1',
      '/v1/artifacts/art_1',
    ]);
  });

  it('refuses what it cannot do before asking the API', async () => {
    // runCaptured's output takes text only, as a context without stdoutBytes does.
    expect((await weft(['artifacts', 'get', 'art_1'])).code).toBe(2);
    expect((await weft(['artifacts', 'get', 'art_1', '--json'])).code).toBe(2);
    const foreign = await weft(['artifacts', 'get', 'https://evil.example/x', '--out', 'x']);
    expect(foreign).toMatchObject({ code: 2 });
    expect(foreign.err).toContain('neither an artifact id');
    expect(api.requests).toEqual([]);
  });
});

describe('mediaTypeOf', () => {
  it('knows the usual media files by extension, whatever their case', () => {
    expect(mediaTypeOf('a/b/cat.JPG')).toBe('image/jpeg');
    expect(mediaTypeOf('speech.mp3')).toBe('audio/mpeg');
    expect(mediaTypeOf('notes.txt')).toBe('text/plain; charset=utf-8');
    expect(mediaTypeOf('archive.tar.xz')).toBe('application/octet-stream');
    expect(mediaTypeOf('Makefile')).toBe('application/octet-stream');
  });
});
