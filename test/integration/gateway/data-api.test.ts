import { expectApiError, startGatewayFixture, type GatewayFixture } from './gateway-fixture';

describe('artifacts, collections and vector indexes over the API', () => {
  let fx: GatewayFixture;

  beforeAll(async () => {
    fx = await startGatewayFixture('gateway-data');
  });

  afterAll(async () => {
    await fx?.close();
  });

  it('serves an artifact to its app only, with its type, size and an ETag', async () => {
    const bytes = Buffer.from('RIFF fake wav bytes');
    const info = await fx.artifacts.put({ appId: fx.appId, bytes, contentType: 'audio/wav' });

    const response = await fetch(`${fx.url}/v1/artifacts/${info.id}`, {
      headers: { 'x-api-key': fx.apiKey },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/wav');
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
    expect(response.headers.get('etag')).toBe(`"${info.sha256}"`);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);

    const cached = await fetch(`${fx.url}/v1/artifacts/${info.id}`, {
      headers: { 'x-api-key': fx.apiKey, 'if-none-match': `"${info.sha256}"` },
    });
    expect(cached.status).toBe(304);

    const foreign = await fx.artifacts.put({ appId: 'app_other', bytes, contentType: 'audio/wav' });
    expectApiError(
      await fx.request('GET', `/v1/artifacts/${foreign.id}`),
      404,
      'artifact_not_found',
    );
    expectApiError(await fx.request('GET', '/v1/artifacts/../../etc'), 404, 'not_found');
    expectApiError(await fx.request('GET', '/v1/artifacts/art_nope'), 404, 'artifact_not_found');
    expect((await fetch(`${fx.url}/v1/artifacts/${info.id}`)).status).toBe(401);
  });

  it('pages a result collection newest first and finds one document by id', async () => {
    const stored = [];
    for (const n of [1, 2, 3]) {
      stored.push(
        await fx.results.insert({ appId: fx.appId, collection: 'scores', document: { n } }),
      );
    }
    await fx.results.insert({ appId: 'app_other', collection: 'scores', document: { n: 99 } });

    const first = await fx.request('GET', '/v1/collections/scores/documents?limit=2');
    expect(first.status).toBe(200);
    const page = first.body as { documents: { document: { n: number } }[]; nextCursor: string };
    expect(page.documents.map((d) => d.document.n)).toEqual([3, 2]);
    const second = await fx.request(
      'GET',
      `/v1/collections/scores/documents?limit=2&cursor=${page.nextCursor}`,
    );
    expect(second.body).toEqual({ documents: [expect.objectContaining({ document: { n: 1 } })] });

    const one = await fx.request('GET', `/v1/collections/scores/documents/${stored[0]!.id}`);
    expect(one.body).toMatchObject({ id: stored[0]!.id, collection: 'scores', document: { n: 1 } });
    expectApiError(
      await fx.request('GET', `/v1/collections/other/documents/${stored[0]!.id}`),
      404,
      'document_not_found',
    );
    expectApiError(
      await fx.request('GET', '/v1/collections/scores/documents?limit=1000'),
      400,
      'invalid_request',
    );
    expectApiError(
      await fx.request('GET', '/v1/collections/scores/documents?cursor=nope'),
      400,
      'invalid_request',
    );
    expectApiError(
      await fx.request('GET', '/v1/collections/no%20spaces/documents'),
      400,
      'invalid_request',
    );
  });

  it('stores vectors and returns the nearest, refusing bad vectors with nothing written', async () => {
    const put = (id: string, body: unknown) =>
      fx.request('PUT', `/v1/indexes/shapes/items/${id}`, { body });
    expect((await put('x', { vector: [1, 0], metadata: { axis: 'x' } })).status).toBe(200);
    expect((await put('y', { vector: [0, 1], metadata: { axis: 'y' } })).status).toBe(200);
    expect((await put('xy', { vector: [1, 1] })).status).toBe(200);

    const search = await fx.request('POST', '/v1/indexes/shapes/search', {
      body: { vector: [1, 0.1], top_k: 2 },
    });
    expect(search.status).toBe(200);
    expect(search.body).toEqual({
      matches: [
        {
          id: 'x',
          score: expect.closeTo(1 / Math.sqrt(1.01), 6) as unknown,
          metadata: { axis: 'x' },
        },
        { id: 'xy', score: expect.any(Number) as unknown },
      ],
    });

    expectApiError(await put('z', { vector: [1, 2, 3] }), 422, 'dimension_mismatch');
    expectApiError(await put('z', { vector: [] }), 400, 'invalid_request');
    expectApiError(await put('z', { vector: ['a'] }), 400, 'invalid_request');
    expectApiError(await put('z', { vector: [1, 2], extra: true }), 400, 'invalid_request');
    expectApiError(
      await fx.request('POST', '/v1/indexes/shapes/search', { body: { vector: [1, 2, 3] } }),
      422,
      'dimension_mismatch',
    );
    expect(await fx.count('vector_items')).toBe(3);
  });
});
