import type { LookupAddress, LookupOptions } from 'node:dns';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import {
  allowPrivateFromEnv,
  checkLiteralHost,
  checkOutboundUrl,
  guardedLookup,
  isPublicAddress,
  OutboundUrlError,
  type AddressPolicy,
  type HostResolver,
} from './ssrf-guard';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '169.254.0.1',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '239.255.255.255',
    '240.0.0.1',
    '255.255.255.255',
    '192.0.0.8',
    '192.0.2.1',
    '198.51.100.7',
    '203.0.113.9',
    '198.18.0.1',
    '198.19.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'ff02::1',
    '2001:db8::1',
    '2001::1',
    '3fff::1',
    '100::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:a00:1',
    '::ffff:169.254.169.254',
    '::127.0.0.1',
    '::ffff:0:a00:1',
    '64:ff9b::10.0.0.1',
    '64:ff9b::7f00:1',
    '64:ff9b:1::808:808',
    '2002:7f00:1::1',
    'not an address',
    '',
    'localhost',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '169.253.255.255',
    '192.0.3.1',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001:82b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('allowPrivateFromEnv', () => {
  it('is on only for 1 or true', () => {
    expect(allowPrivateFromEnv({})).toBe(false);
    expect(allowPrivateFromEnv({ WEBHOOK_ALLOW_PRIVATE: '1' })).toBe(true);
    expect(allowPrivateFromEnv({ WEBHOOK_ALLOW_PRIVATE: 'true' })).toBe(true);
    for (const value of ['0', 'false', 'yes', '', ' 1']) {
      expect(allowPrivateFromEnv({ WEBHOOK_ALLOW_PRIVATE: value })).toBe(false);
    }
  });
});

function refusal(action: () => unknown): OutboundUrlError {
  try {
    action();
  } catch (error) {
    if (error instanceof OutboundUrlError) return error;
    throw error;
  }
  throw new Error('expected an OutboundUrlError');
}

describe('checkOutboundUrl', () => {
  it('returns the parsed URL for http and https', () => {
    expect(checkOutboundUrl('https://hooks.example.com/weft?x=1').href).toBe(
      'https://hooks.example.com/weft?x=1',
    );
    expect(checkOutboundUrl('http://example.com').hostname).toBe('example.com');
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/x', 'gopher://example.com:70/', 'data:,x'])(
    'refuses the scheme of %s',
    (url) => {
      expect(refusal(() => checkOutboundUrl(url)).code).toBe('url_not_allowed');
    },
  );

  it('refuses credentials in the URL', () => {
    const error = refusal(() => checkOutboundUrl('https://user:secret@example.com/'));
    expect(error.code).toBe('url_not_allowed');
    expect(error.message).not.toContain('secret');
    expect(refusal(() => checkOutboundUrl('https://user@example.com/')).code).toBe(
      'url_not_allowed',
    );
  });

  it.each(['', 'example.com/hook', '/relative', 'http://', 'http://1.2.3.4.5/'])(
    'refuses %j as invalid',
    (url) => {
      expect(refusal(() => checkOutboundUrl(url)).code).toBe('invalid_url');
    },
  );
});

describe('checkLiteralHost', () => {
  const strict: AddressPolicy = { allowPrivate: false };

  it.each([
    ['http://127.0.0.1/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://017700000001/', '127.0.0.1'],
    ['http://127.1:8080/', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://10.0.0.1/', '10.0.0.1'],
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254'],
    ['http://[::1]/', '[::1]'],
    ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
    ['http://[64:ff9b::a00:1]/', '[64:ff9b::a00:1]'],
  ])('refuses %s (normalised to %s)', (text, hostname) => {
    const url = checkOutboundUrl(text);
    expect(url.hostname).toBe(hostname);
    const error = refusal(() => checkLiteralHost(url, strict));
    expect(error.code).toBe('address_not_allowed');
    expect(error.message).toContain('WEBHOOK_ALLOW_PRIVATE');
  });

  it('lets public literals, names and allowed private literals through', () => {
    expect(() => checkLiteralHost(new URL('http://8.8.8.8/'), strict)).not.toThrow();
    expect(() => checkLiteralHost(new URL('http://[2606:4700::1]/'), strict)).not.toThrow();
    // Names are judged at connect time by guardedLookup.
    expect(() => checkLiteralHost(new URL('http://localhost/'), strict)).not.toThrow();
    expect(() =>
      checkLiteralHost(new URL('http://127.0.0.1/'), { allowPrivate: true }),
    ).not.toThrow();
  });
});

function lookupWith(
  policy: AddressPolicy,
  hostname: string,
  options: LookupOptions,
): Promise<{ address: string | LookupAddress[]; family: number | undefined }> {
  return new Promise((resolve, reject) => {
    guardedLookup(policy)(hostname, options, (error, address, family) => {
      if (error) reject(error);
      else resolve({ address, family });
    });
  });
}

describe('guardedLookup', () => {
  const table: Record<string, LookupAddress[]> = {
    'public.test': [{ address: '93.184.216.34', family: 4 }],
    'private.test': [{ address: '10.1.2.3', family: 4 }],
    'mixed.test': [
      { address: '93.184.216.34', family: 4 },
      { address: 'fd00::1', family: 6 },
    ],
    'empty.test': [],
  };
  const resolve: HostResolver = async (hostname) => {
    const found = table[hostname];
    if (found === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found;
  };

  it('answers one address or all of them as asked', async () => {
    const policy = { allowPrivate: false, resolve };
    await expect(lookupWith(policy, 'public.test', {})).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    await expect(lookupWith(policy, 'public.test', { all: true })).resolves.toEqual({
      address: [{ address: '93.184.216.34', family: 4 }],
      family: undefined,
    });
  });

  it('refuses a name when any address it resolves to is not public', async () => {
    const policy = { allowPrivate: false, resolve };
    for (const name of ['private.test', 'mixed.test']) {
      await expect(lookupWith(policy, name, { all: true })).rejects.toMatchObject({
        name: 'OutboundUrlError',
        code: 'address_not_allowed',
      });
    }
  });

  it('allows private addresses when told to, and names treated as public', async () => {
    await expect(
      lookupWith({ allowPrivate: true, resolve }, 'private.test', {}),
    ).resolves.toMatchObject({ address: '10.1.2.3' });
    const policy = {
      allowPrivate: false,
      resolve,
      treatAsPublic: (h: string) => h === 'mixed.test',
    };
    await expect(lookupWith(policy, 'mixed.test', { all: true })).resolves.toMatchObject({
      address: table['mixed.test'],
    });
    await expect(lookupWith(policy, 'private.test', {})).rejects.toMatchObject({
      code: 'address_not_allowed',
    });
  });

  it('passes resolver failures through and fails a name without addresses', async () => {
    const policy = { allowPrivate: false, resolve };
    await expect(lookupWith(policy, 'missing.test', {})).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
    await expect(lookupWith(policy, 'empty.test', {})).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  it('refuses localhost through the system resolver', async () => {
    await expect(lookupWith({ allowPrivate: false }, 'localhost', {})).rejects.toMatchObject({
      code: 'address_not_allowed',
    });
  });

  describe('as net.connect sees it', () => {
    let server: Server;
    let port: number;

    beforeAll(async () => {
      server = createServer((socket) => socket.end('hi'));
      await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
      port = (server.address() as AddressInfo).port;
    });

    afterAll(async () => {
      await new Promise((closed) => server.close(closed));
    });

    const connectVia = (policy: AddressPolicy, family?: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = connect({
          host: 'receiver.test',
          port,
          family,
          lookup: guardedLookup(policy),
        });
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
      });
    const toLoopback: HostResolver = async () => [{ address: '127.0.0.1', family: 4 }];

    it('connects when allowed, with or without a family', async () => {
      await expect(connectVia({ allowPrivate: true, resolve: toLoopback })).resolves.toBe('hi');
      await expect(connectVia({ allowPrivate: true, resolve: toLoopback }, 4)).resolves.toBe('hi');
    });

    it('fails the connection when refused', async () => {
      await expect(connectVia({ allowPrivate: false, resolve: toLoopback })).rejects.toMatchObject({
        code: 'address_not_allowed',
      });
    });
  });
});
