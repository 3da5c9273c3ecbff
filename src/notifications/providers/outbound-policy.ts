import ipaddr from 'ipaddr.js';

/*
 * Which addresses Vigil may call on behalf of an account member (outbound webhooks, status-page
 * webhook subscribers, chat bots): public unicast addresses only, unless the operator allows more
 * with OUTBOUND_ALLOW. Pure: the save-time URL check uses it, and so does the connect-time guard
 * (outbound-guard.ts), which applies it to the addresses a host name actually resolves to.
 * docs/webhooks.md, "Where Vigil may call".
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** How each special-purpose range of ipaddr.js is named in messages; others by their own name. */
const RANGE_NAMES: Record<string, string> = {
  loopback: 'loopback',
  private: 'private (RFC 1918)',
  uniqueLocal: 'private (unique local, fc00::/7)',
  linkLocal: 'link-local',
  carrierGradeNat: 'shared address space (100.64.0.0/10)',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
  rfc6052: 'NAT64 (64:ff9b::/96)',
  rfc6145: 'IPv4-translated',
  '6to4': '6to4 (2002::/16)',
  teredo: 'Teredo (2001::/32)',
  deprecatedSiteLocal: 'site-local (fec0::/10)',
};

/** The cloud metadata address (AWS, GCP, Azure, ...): link-local, named so the message is plain. */
const METADATA = ipaddr.parse('169.254.169.254');
/** IPv4-compatible IPv6 (::a.b.c.d, deprecated): ipaddr.js calls it unicast, but it is no public address. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/** A host name as OUTBOUND_ALLOW takes it: labels of letters, digits and '-', optionally `*.` first. */
const HOST_NAME = /^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** IPv4-mapped IPv6 (::ffff:127.0.0.1) is the IPv4 address it carries. */
function canonical(address: Address): Address {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/** Why Vigil does not call this address by default; undefined for a public unicast address. */
function specialRange(address: Address): string | undefined {
  if (address.kind() === 'ipv4' && address.toString() === METADATA.toString()) {
    return 'link-local (cloud metadata)';
  }
  const range = address.range();
  if (range === 'unicast') {
    return address.kind() === 'ipv6' && address.match(IPV4_COMPATIBLE) ? 'IPv4-compatible IPv6' : undefined;
  }
  return RANGE_NAMES[range] ?? `special-purpose (${range})`;
}

/** Strict forms only (no 0x7f.1 in a setting): an address, or a CIDR. */
function parseNetwork(entry: string): [Address, number] | undefined {
  if (entry.includes('/')) {
    const address = entry.slice(0, entry.indexOf('/'));
    const strict = ipaddr.IPv4.isValidFourPartDecimal(address) || ipaddr.IPv6.isValid(address);
    return strict && ipaddr.isValidCIDR(entry) ? ipaddr.parseCIDR(entry) : undefined;
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(entry) || ipaddr.IPv6.isValid(entry)) {
    const address = ipaddr.parse(entry);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  }
  return undefined;
}

/** An address in both its forms when it has two (IPv4 and IPv4-mapped IPv6), so either kind of entry matches. */
function forms(address: Address): Address[] {
  if (address.kind() === 'ipv4') return [address, (address as ipaddr.IPv4).toIPv4MappedAddress()];
  const ip = canonical(address);
  return ip === address ? [address] : [address, ip];
}

/** A name whose last label is a number is an address to URL parsing (0x7f.1, 127.1): not a host name. */
const NUMERIC_LABEL = /(^|\.)(0x[0-9a-f]*|\d+)$/;

const normalHost = (host: string) => host.toLowerCase().replace(/\.$/, '');

/** OUTBOUND_ALLOW, parsed: networks (CIDRs or single addresses) and host names (`*.corp.example` too). */
export class OutboundAllow {
  /** The entries as the operator wrote them. */
  readonly entries: readonly string[];
  readonly #networks: [Address, number][];
  readonly #hosts: string[];

  private constructor(entries: string[], networks: [Address, number][], hosts: string[]) {
    this.entries = entries;
    this.#networks = networks;
    this.#hosts = hosts;
  }

  /** Nothing beyond public addresses: the default. */
  static readonly none = new OutboundAllow([], [], []);

  /** Parses a comma-separated list; `problems` names each entry that is neither a network nor a host name. */
  static parse(text: string): { allow: OutboundAllow; problems: string[] } {
    const entries = text
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const networks: [Address, number][] = [];
    const hosts: string[] = [];
    const problems: string[] = [];
    for (const entry of entries) {
      const network = parseNetwork(entry);
      if (network) networks.push(network);
      else if (HOST_NAME.test(normalHost(entry)) && !NUMERIC_LABEL.test(normalHost(entry))) {
        hosts.push(normalHost(entry));
      } else problems.push(`"${entry}" is neither an address, a CIDR (10.0.0.0/8, fd00::/8) nor a host name`);
    }
    return { allow: new OutboundAllow(entries, networks, hosts), problems };
  }

  /** Whether a host name is allowed whatever it resolves to. */
  allowsHost(hostname: string): boolean {
    const host = normalHost(hostname);
    return this.#hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h));
  }

  allowsAddress(address: Address): boolean {
    return forms(address).some((ip) =>
      this.#networks.some(([network, bits]) => network.kind() === ip.kind() && ip.match(network, bits)),
    );
  }

  toString(): string {
    return this.entries.join(',');
  }
}

const advice = 'set OUTBOUND_ALLOW to permit it';

/**
 * Why Vigil refuses to connect to this address (an IP as DNS or a URL gives it), or undefined when
 * it may: "address 127.0.0.1 is not allowed: loopback; set OUTBOUND_ALLOW to permit it".
 */
export function addressRefusal(address: string, allow: OutboundAllow): string | undefined {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(bare)) return `address ${address} is not an IP address`;
  const ip = canonical(ipaddr.parse(bare));
  const range = specialRange(ip);
  if (range === undefined || allow.allowsAddress(ip)) return undefined;
  return `address ${ip.toString()} is not allowed: ${range}; ${advice}`;
}

/** Names that always mean this machine (RFC 6761), refused by name as well as by address. */
const isLocalhost = (host: string) => host === 'localhost' || host.endsWith('.localhost');

/**
 * What is wrong with a URL an account member stores for Vigil to call, or undefined: it must be an
 * absolute http(s) URL, and a host given as an address (in any spelling URL parsing accepts:
 * 2130706433, 0x7f.1, [::ffff:7f00:1] ...) or as localhost must be one Vigil may call. Names that
 * resolve to such addresses are refused when the call connects.
 */
export function outboundUrlProblem(raw: string, allow: OutboundAllow): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must start with http:// or https://';
  // WHATWG parsing has already turned every IPv4 spelling into dotted decimal.
  const host = normalHost(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (allow.allowsHost(host)) return undefined;
  if (ipaddr.isValid(host)) return addressRefusal(host, allow);
  if (isLocalhost(host) && addressRefusal('127.0.0.1', allow)) {
    return `host ${host} is not allowed: loopback; ${advice}`;
  }
  return undefined;
}
