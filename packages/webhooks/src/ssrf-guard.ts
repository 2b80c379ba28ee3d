import { promises as dns, type LookupAddress } from 'node:dns';
import { isIPv4, isIPv6, type LookupFunction } from 'node:net';

/** Why an outbound URL or the address it resolves to was refused. */
export type OutboundUrlErrorCode = 'invalid_url' | 'url_not_allowed' | 'address_not_allowed';

/** An outbound target refused before any byte is sent to it. Never retryable as it stands. */
export class OutboundUrlError extends Error {
  override name = 'OutboundUrlError';

  constructor(
    readonly code: OutboundUrlErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Resolves a hostname to every address it has, as `dns.lookup(…, { all: true })` does. */
export type HostResolver = (
  hostname: string,
  options: { family: 0 | 4 | 6; hints?: number },
) => Promise<readonly LookupAddress[]>;

/** Which addresses outbound requests may reach. */
export interface AddressPolicy {
  /** Allow loopback, private and link-local targets: local development only. Default false. */
  allowPrivate: boolean;
  /** Name resolution; default `dns.lookup`. Tests inject one to map names without real DNS. */
  resolve?: HostResolver;
  /**
   * Hostnames whose addresses count as public whatever they are. A test seam for reaching a local
   * receiver under a "public" name; default none. Never set it from user input.
   */
  treatAsPublic?: (hostname: string) => boolean;
}

const ALLOW_PRIVATE_HINT = 'set WEBHOOK_ALLOW_PRIVATE=1 to allow private targets in development';

/** `WEBHOOK_ALLOW_PRIVATE` read the one way every caller reads it: on only for `1` or `true`. */
export function allowPrivateFromEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env.WEBHOOK_ALLOW_PRIVATE;
  return value === '1' || value === 'true';
}

/**
 * Parses an outbound URL and refuses anything but absolute `http:`/`https:` without credentials.
 * Says nothing about the address; `checkLiteralHost` and `guardedLookup` judge that.
 */
export function checkOutboundUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new OutboundUrlError('invalid_url', 'The URL is not a valid absolute URL', {
      cause: error,
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new OutboundUrlError(
      'url_not_allowed',
      `Only http and https URLs are allowed, not ${parsed.protocol.slice(0, -1)}`,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // Credentials in a URL end up in logs and in redirects; send them in a header instead.
    throw new OutboundUrlError(
      'url_not_allowed',
      'URLs with credentials (user:password@) are not allowed; send credentials in a header',
    );
  }
  if (parsed.hostname === '') {
    throw new OutboundUrlError('invalid_url', 'The URL has no host');
  }
  return parsed;
}

/**
 * Refuses a URL whose host is a non-public IP literal. Node skips `lookup` for IP literals, so
 * without this `guardedLookup` never sees them. The URL parser has already turned forms like
 * `2130706433` or `0x7f.1` into dotted IPv4.
 */
export function checkLiteralHost(url: URL, policy: AddressPolicy): void {
  const host = hostOf(url);
  if (isIPv4(host) || isIPv6(host)) {
    if (!isAllowedAddress(host, host, policy)) {
      throw new OutboundUrlError(
        'address_not_allowed',
        `${url.host} is not a public address; ${ALLOW_PRIVATE_HINT}`,
      );
    }
  }
}

/** `url.hostname` as sockets want it: IPv6 literals without their brackets. */
export function hostOf(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * A `lookup` for `http.request`/`net.connect` that refuses the connection when any address the
 * name resolves to is not public. It runs at connect time, on the addresses actually dialled, so
 * a name that re-resolves between an earlier check and the connection gains nothing.
 */
export function guardedLookup(policy: AddressPolicy): LookupFunction {
  const resolve = policy.resolve ?? systemResolver;
  return (hostname, options, callback) => {
    const family = familyOf(options.family);
    const query = options.hints === undefined ? { family } : { family, hints: options.hints };
    resolve(hostname, query).then(
      (addresses) => {
        const first = addresses[0];
        if (first === undefined) {
          const error: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
          error.code = 'ENOTFOUND';
          callback(error, '');
          return;
        }
        // Any one bad address refuses the name: connection attempts may fall through to it.
        const refused = addresses.find(
          ({ address }) => !isAllowedAddress(address, hostname, policy),
        );
        if (refused !== undefined) {
          callback(
            new OutboundUrlError(
              'address_not_allowed',
              `${hostname} resolves to ${refused.address}, which is not a public address; ${ALLOW_PRIVATE_HINT}`,
            ),
            '',
          );
          return;
        }
        if (options.all === true) callback(null, [...addresses]);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

function isAllowedAddress(address: string, hostname: string, policy: AddressPolicy): boolean {
  return (
    policy.allowPrivate || isPublicAddress(address) || policy.treatAsPublic?.(hostname) === true
  );
}

function familyOf(family: number | 'IPv4' | 'IPv6' | undefined): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

const systemResolver: HostResolver = (hostname, options) =>
  dns.lookup(hostname, { ...options, all: true });

/**
 * Whether `ip` is a globally reachable unicast address. False for anything else, including text
 * that is not an IP: loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved,
 * documentation and benchmark ranges. IPv6 forms that carry an IPv4 address (mapped, compatible,
 * NAT64, 6to4) are judged by that IPv4 address.
 */
export function isPublicAddress(ip: string): boolean {
  if (isIPv4(ip)) return isPublicIPv4(parseIPv4(ip));
  const unzoned = ip.split('%', 1)[0] ?? '';
  if (!isIPv6(unzoned)) return false;
  const hextets = parseIPv6(unzoned);
  const embedded = embeddedIPv4(hextets);
  if (embedded !== undefined) return isPublicIPv4(embedded);
  // Only 2000::/3 is allocated for global unicast; everything outside it is special or unassigned.
  return (
    inPrefix6(hextets, GLOBAL_UNICAST_V6) &&
    !NON_PUBLIC_V6.some((prefix) => inPrefix6(hextets, prefix))
  );
}

function isPublicIPv4(address: number): boolean {
  return !NON_PUBLIC_V4.some((prefix) => inPrefix4(address, prefix));
}

interface Prefix4 {
  base: number;
  bits: number;
}

interface Prefix6 {
  base: readonly number[];
  bits: number;
}

function cidr4(text: string): Prefix4 {
  const [base = '', bits = ''] = text.split('/');
  return { base: parseIPv4(base), bits: Number(bits) };
}

function cidr6(text: string): Prefix6 {
  const [base = '', bits = ''] = text.split('/');
  return { base: parseIPv6(base), bits: Number(bits) };
}

const NON_PUBLIC_V4: readonly Prefix4[] = [
  '0.0.0.0/8', // "this network"; 0.0.0.0 reaches the local host on Linux
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, including cloud metadata at 169.254.169.254
  '172.16.0.0/12',
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // TEST-NET-1
  '192.88.99.0/24', // deprecated 6to4 relay anycast
  '192.168.0.0/16',
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // TEST-NET-2
  '203.0.113.0/24', // TEST-NET-3
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, including broadcast 255.255.255.255
].map(cidr4);

const GLOBAL_UNICAST_V6 = cidr6('2000::/3');

const NON_PUBLIC_V6: readonly Prefix6[] = [
  '2001::/23', // IETF protocol assignments: Teredo, benchmarking, ORCHID
  '2001:db8::/32', // documentation
  '3fff::/20', // documentation (RFC 9637)
].map(cidr6);

const IPV4_MAPPED = cidr6('::ffff:0:0/96');
const IPV4_TRANSLATED = cidr6('::ffff:0:0:0/96');
const IPV4_COMPATIBLE = cidr6('::/96');
const NAT64 = cidr6('64:ff9b::/96');
const SIX_TO_FOUR = cidr6('2002::/16');

function embeddedIPv4(hextets: readonly number[]): number | undefined {
  const at = (index: number): number => hextets[index] ?? 0;
  // ::/96 also holds :: and ::1, judged as 0.0.0.0 and 0.0.0.1: both non-public, as they should be.
  for (const prefix of [IPV4_MAPPED, IPV4_TRANSLATED, IPV4_COMPATIBLE, NAT64]) {
    if (inPrefix6(hextets, prefix)) return ((at(6) << 16) | at(7)) >>> 0;
  }
  if (inPrefix6(hextets, SIX_TO_FOUR)) return ((at(1) << 16) | at(2)) >>> 0;
  return undefined;
}

function inPrefix4(address: number, prefix: Prefix4): boolean {
  const mask = prefix.bits === 0 ? 0 : (~0 << (32 - prefix.bits)) >>> 0;
  return (address & mask) >>> 0 === (prefix.base & mask) >>> 0;
}

function inPrefix6(hextets: readonly number[], prefix: Prefix6): boolean {
  let remaining = prefix.bits;
  for (let index = 0; index < 8 && remaining > 0; index += 1) {
    const take = Math.min(16, remaining);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if (((hextets[index] ?? 0) & mask) !== ((prefix.base[index] ?? 0) & mask)) return false;
    remaining -= take;
  }
  return true;
}

/** Dotted-quad IPv4 (already validated by `isIPv4`) as an unsigned 32-bit number. */
function parseIPv4(text: string): number {
  return text.split('.').reduce((value, octet) => ((value << 8) | Number(octet)) >>> 0, 0);
}

/** IPv6 text (already validated by `isIPv6`, no zone) as eight 16-bit groups. */
function parseIPv6(text: string): number[] {
  let rest = text;
  const tail: number[] = [];
  const lastColon = rest.lastIndexOf(':');
  const last = rest.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    tail.push(v4 >>> 16, v4 & 0xffff);
    rest = rest.slice(0, lastColon + 1);
    if (!rest.endsWith('::')) rest = rest.slice(0, -1);
  }
  const groups = (part: string | undefined): number[] =>
    part === undefined || part === '' ? [] : part.split(':').map((group) => parseInt(group, 16));
  const [head, after] = rest.split('::');
  const before = groups(head);
  const behind = groups(after);
  const zeros = rest.includes('::') ? 8 - tail.length - before.length - behind.length : 0;
  return [...before, ...new Array<number>(zeros).fill(0), ...behind, ...tail];
}
