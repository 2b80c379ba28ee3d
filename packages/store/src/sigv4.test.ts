import { canonicalQuery, canonicalUri, sha256Hex, signRequest, UNSIGNED_PAYLOAD } from './sigv4';

// The worked examples in the S3 API reference, "Signature Calculations for the Authorization
// Header: Transferring Payload in a Single Chunk": one account, one bucket, one instant.
const example = {
  region: 'us-east-1',
  service: 's3',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  now: new Date('2013-05-24T00:00:00Z'),
};
const host = 'https://examplebucket.s3.amazonaws.com';
const emptySha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function parts(authorization: string): {
  credential?: string;
  signed?: string;
  signature?: string;
} {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  return { credential: match?.[1], signed: match?.[2], signature: match?.[3] };
}

describe('signRequest, against the S3 documentation', () => {
  it('signs GET Object with a Range header', () => {
    const headers = signRequest({
      ...example,
      method: 'GET',
      url: new URL(`${host}/test.txt`),
      headers: { Range: 'bytes=0-9' },
      body: undefined,
    });
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
    expect(headers['x-amz-content-sha256']).toBe(emptySha256);
    expect(parts(headers.authorization)).toEqual({
      credential: 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request',
      signed: 'host;range;x-amz-content-sha256;x-amz-date',
      signature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    });
  });

  it('signs PUT Object with a payload and a key that needs encoding', () => {
    const body = Buffer.from('Welcome to Amazon S3.');
    const headers = signRequest({
      ...example,
      method: 'PUT',
      url: new URL(`${host}/test$file.text`),
      headers: {
        Date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      },
      body,
    });
    expect(headers['x-amz-content-sha256']).toBe(
      '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
    );
    expect(parts(headers.authorization)).toMatchObject({
      signed: 'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
      signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    });
  });

  it('gives the same PUT signature when the caller passes the payload hash', () => {
    const body = Buffer.from('Welcome to Amazon S3.');
    const headers = signRequest({
      ...example,
      method: 'PUT',
      url: new URL(`${host}/test%24file.text`),
      headers: {
        date: 'Fri, 24 May 2013 00:00:00 GMT',
        'X-Amz-Storage-Class': 'REDUCED_REDUNDANCY',
      },
      body,
      payloadSha256: sha256Hex(body),
    });
    expect(parts(headers.authorization).signature).toBe(
      '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    );
  });

  it('signs GET Bucket Lifecycle, a query parameter without a value', () => {
    const headers = signRequest({
      ...example,
      method: 'GET',
      url: new URL(`${host}/?lifecycle`),
      headers: {},
      body: undefined,
    });
    expect(parts(headers.authorization)).toMatchObject({
      signed: 'host;x-amz-content-sha256;x-amz-date',
      signature: 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
    });
  });

  it('signs GET Bucket (List Objects), whose query must be sorted', () => {
    const headers = signRequest({
      ...example,
      method: 'GET',
      url: new URL(`${host}/?prefix=J&max-keys=2`),
      headers: {},
      body: undefined,
    });
    expect(parts(headers.authorization).signature).toBe(
      '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    );
  });
});

describe('signRequest', () => {
  it('signs a session token and returns it to send', () => {
    const headers = signRequest({
      ...example,
      method: 'GET',
      url: new URL(`${host}/test.txt`),
      headers: {},
      body: undefined,
      sessionToken: 'token/with+symbols=',
    });
    expect(headers['x-amz-security-token']).toBe('token/with+symbols=');
    expect(parts(headers.authorization).signed).toBe(
      'host;x-amz-content-sha256;x-amz-date;x-amz-security-token',
    );
  });

  it('leaves the body out of the signature when asked', () => {
    const headers = signRequest({
      ...example,
      method: 'PUT',
      url: new URL(`${host}/big.bin`),
      headers: {},
      body: UNSIGNED_PAYLOAD,
    });
    expect(headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(headers['x-amz-security-token']).toBeUndefined();
  });

  it('signs the port of a non-default endpoint as part of the host', () => {
    const at = (url: string) =>
      parts(
        signRequest({ ...example, method: 'GET', url: new URL(url), headers: {}, body: undefined })
          .authorization,
      ).signature;
    expect(at('http://127.0.0.1:9000/bucket/key')).not.toBe(at('http://127.0.0.1:9001/bucket/key'));
    expect(at('https://example.com:443/bucket/key')).toBe(at('https://example.com/bucket/key'));
  });

  it('does not sign a stale Authorization header', () => {
    const sign = (headers: Record<string, string>) =>
      signRequest({
        ...example,
        method: 'GET',
        url: new URL(`${host}/a`),
        headers,
        body: undefined,
      }).authorization;
    expect(sign({ Authorization: 'AWS4-HMAC-SHA256 old' })).toBe(sign({}));
  });
});

describe('canonicalUri', () => {
  it('encodes each byte outside the unreserved set exactly once and keeps the slashes', () => {
    const uri = (path: string) => canonicalUri(new URL(`${host}${path}`));
    expect(uri('/test$file.text')).toBe('/test%24file.text');
    expect(uri('/test%24file.text')).toBe('/test%24file.text');
    expect(uri("/a b/c+d/(e)!*'~")).toBe('/a%20b/c%2Bd/%28e%29%21%2A%27~');
    expect(uri('/caf%C3%A9/été')).toBe('/caf%C3%A9/%C3%A9t%C3%A9');
    expect(uri('/a%2Fb')).toBe('/a%2Fb');
    expect(uri('')).toBe('/');
    expect(uri('/dir/')).toBe('/dir/');
  });
});

describe('canonicalQuery', () => {
  it('sorts by name, encodes strictly and keeps + literal', () => {
    const query = (search: string) => canonicalQuery(new URL(`${host}/${search}`));
    expect(query('')).toBe('');
    expect(query('?b=2&a=1&a=0')).toBe('a=0&a=1&b=2');
    expect(query('?uploads')).toBe('uploads=');
    expect(query('?prefix=a b&x=1+1')).toBe('prefix=a%20b&x=1%2B1');
    expect(query('?k=%7E%2f')).toBe('k=~%2F');
  });
});
