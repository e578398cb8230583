// Where a webhook may point (SSRF): an admin's URL must not make Vega call into its own network. In a
// strict stage an endpoint is `https://` and every address its name resolves to is public: no loopback,
// private, shared (CGNAT), link-local (the instance metadata service at 169.254.169.254), multicast or
// reserved range, IPv4 or IPv6, IPv4 inside IPv6 included. The name is checked when the endpoint is
// registered and resolved again for every attempt, and the attempt connects to the address that was
// checked (the lookup below is the connection's own), so a name that later resolves elsewhere (DNS
// rebinding) is refused at delivery too. WEBHOOK_ALLOW_LOCAL_TARGETS lifts both rules (the local stack).
import { type LookupAddress, lookup } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'

const local = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  local.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['100::', 64], // discard
  ['2001::', 32], // Teredo tunnels
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  local.addSubnet(network, prefix, 'ipv6')

/** The 16 bytes of an IPv6 address (`::` expanded, a dotted IPv4 tail read). */
function ipv6Bytes(address: string): number[] {
  let text = address.replace(/%.*$/, '')
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number]
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const groups = (part: string | undefined) => (part ? part.split(':').filter(Boolean) : [])
  const front = groups(head)
  const back = groups(tail)
  const all = tail === undefined ? front : [...front, ...Array(8 - front.length - back.length).fill('0'), ...back]
  return all.flatMap((group) => {
    const value = Number.parseInt(group, 16)
    return [value >> 8, value & 0xff]
  })
}

/** The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4), if any: it is judged as that address. */
function embeddedIpv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address)
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0)
  const quad = (at: number) => bytes.slice(at, at + 4).join('.')
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return quad(12) // ::ffff:a.b.c.d
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) return quad(12)
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return quad(2) // 2002:aabb:ccdd::/48
  return undefined
}

/** True for any address a strict stage must not deliver to; anything that is not an address counts too. */
export function isLocalAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return local.check(address, 'ipv4')
  if (family !== 6) return true
  const inner = embeddedIpv4(address)
  return inner !== undefined ? isLocalAddress(inner) : local.check(address, 'ipv6')
}

/** The host of a URL as an address, when it is one (`[::1]` → `::1`). */
const literalAddress = (url: URL) => {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  return isIP(host) ? host : undefined
}

/** Why a URL may not be an endpoint, judged without DNS: a URL no stage takes, or a local host. */
export function refusalOf(
  raw: string,
  allowLocal: boolean,
): { kind: 'invalid_url' | 'forbidden_address'; message: string } | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { kind: 'invalid_url', message: 'must be an absolute URL' }
  }
  if (url.protocol !== 'https:' && !(allowLocal && url.protocol === 'http:'))
    return { kind: 'invalid_url', message: 'must be an https:// URL' }
  if (url.username || url.password)
    return { kind: 'invalid_url', message: 'must not carry credentials: the signature authenticates Vega' }
  if (allowLocal) return undefined
  const address = literalAddress(url)
  const host = url.hostname.toLowerCase().replace(/\.$/, '')
  if ((address && isLocalAddress(address)) || host === 'localhost' || host.endsWith('.localhost'))
    return { kind: 'forbidden_address', message: 'must not point at a loopback, private or link-local address' }
  return undefined
}

/** Why a URL may not be an endpoint, judged without DNS; undefined when it may. */
export const urlProblem = (raw: string, allowLocal: boolean) => refusalOf(raw, allowLocal)?.message

/**
 * Why a URL may not be an endpoint once its name is resolved; undefined when it may. A name that does not
 * resolve now is accepted: DNS may be down for a moment, and every delivery resolves it again anyway.
 */
export async function resolvedProblem(raw: string, allowLocal: boolean): Promise<string | undefined> {
  const problem = urlProblem(raw, allowLocal)
  if (problem || allowLocal) return problem
  const url = new URL(raw)
  if (literalAddress(url)) return undefined
  const addresses = await new Promise<LookupAddress[]>((resolve) =>
    lookup(url.hostname, { all: true }, (error, found) => resolve(error ? [] : found)),
  )
  return addresses.some((found) => isLocalAddress(found.address))
    ? `must not resolve to a loopback, private or link-local address (${url.hostname} does)`
    : undefined
}

/** The error a refused address fails its attempt with. */
export class ForbiddenAddress extends Error {
  readonly code = 'VEGA_FORBIDDEN_ADDRESS'
}

/**
 * The lookup a delivery's connection uses: DNS as usual, then every address is checked; one local address
 * among them refuses the connection, so the address connected to is always one that was checked.
 */
export const guardedLookup =
  (allowLocal: boolean): LookupFunction =>
  (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4)
      if (!allowLocal && addresses.some((found) => isLocalAddress(found.address)))
        return callback(new ForbiddenAddress(`${hostname} resolves to a local address`), '', 4)
      if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses)
      const [first] = addresses
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4)
      callback(null, first.address, first.family)
    })
  }
