import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { addressRefusal, type OutboundAllow } from './outbound-policy.ts';

/*
 * The HTTP client for URLs that account members configure: it checks the address it is about to
 * connect to, after DNS resolution, so a host name that resolves (or re-resolves: DNS rebinding) to
 * a loopback, private, link-local or metadata address is never reached. URLs the operator sets in
 * the environment (PHONE_PROVIDER_URL, TELEGRAM_API_URL) are trusted and do not go through it.
 */

/** A call refused before connecting; its message is what the delivery log shows. */
export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

/** How host names are resolved: dns.lookup (the system's resolver, /etc/hosts included) with `all`. */
export type Resolve = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** A lookup that drops the addresses Vigil may not call, and fails when none is left. */
function guardedLookup(allow: OutboundAllow, resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const permitted = allow.allowsHost(hostname)
        ? addresses
        : addresses.filter((a) => addressRefusal(a.address, allow) === undefined);
      const first = permitted[0];
      if (!first) {
        const refusal = addresses[0] ? addressRefusal(addresses[0].address, allow) : undefined;
        return callback(new OutboundRefused(refusal ?? `${hostname} has no address`), '', 0);
      }
      if (options.all) return callback(null, permitted);
      return callback(null, first.address, first.family);
    });
  };
}

/**
 * An undici dispatcher whose connections go only where `allow` permits: an address in the URL is
 * checked before connecting (Node does not look addresses up), a host name at each lookup
 * (`resolve`: the system's resolver; tests give their own names).
 */
export function guardedDispatcher(allow: OutboundAllow, resolve: Resolve = dnsLookup): Dispatcher {
  const connect = buildConnector({ lookup: guardedLookup(allow, resolve) });
  return new Agent({
    connect(options, callback) {
      if (isIP(options.hostname)) {
        const refusal = addressRefusal(options.hostname, allow);
        if (refusal) {
          callback(new OutboundRefused(refusal), null);
          return;
        }
      }
      connect(options, callback);
    },
  });
}
