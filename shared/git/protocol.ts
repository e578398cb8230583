// git's smart HTTP receive-pack, the server side, as bytes in and bytes out (research/git-push.md §1).
// Vega advertises no refs, so every push creates its refs. When the repository was pushed before, the
// tips of that push are advertised as `.have` (what git's receive-pack says of an alternate's objects):
// git then sends a thin pack of what is new, its deltas free to refer to objects Vega already holds.

const flush = '0000'
export const zeroOid = '0'.repeat(40)

/** What Vega tells git it supports. No delete-refs (a delete is refused by the client itself), no push-cert. */
export const capabilities = [
  'report-status',
  'side-band-64k',
  'quiet',
  'ofs-delta',
  'atomic',
  'push-options',
  'object-format=sha1',
  'agent=vega/1',
]

export function pktLine(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body])
}

/**
 * The refs advertisement: none, with `haves` (commits whose every object Vega holds) as `.have` lines.
 * Without haves a thin pack could only refer to objects Vega does not have, so `no-thin` forbids it.
 */
export function advertisement(haves: readonly string[] = []): Buffer {
  const caps = haves.length ? capabilities : [...capabilities, 'no-thin']
  const [first = `${zeroOid} capabilities^{}`, ...rest] = haves.map((oid) => `${oid} .have`)
  return Buffer.concat([
    pktLine('# service=git-receive-pack\n'),
    Buffer.from(flush),
    pktLine(`${first}\0${caps.join(' ')}\n`),
    ...rest.map((line) => pktLine(`${line}\n`)),
    Buffer.from(flush),
  ])
}

export interface RefUpdate {
  oldOid: string
  newOid: string
  ref: string
}

export interface ReceivePackRequest {
  commands: RefUpdate[]
  capabilities: string[]
  shallow: string[]
  pushOptions: string[]
  /** The packfile after the command list (empty when only deletes were sent). */
  pack: Buffer
}

export class ProtocolError extends Error {}

/** Parses the request body: [shallow lines] commands flush [push options flush] pack. */
export function parseReceivePack(body: Buffer): ReceivePackRequest {
  let at = 0
  const next = (): string | null => {
    if (at + 4 > body.length) throw new ProtocolError('truncated pkt-line')
    const length = Number.parseInt(body.subarray(at, at + 4).toString('ascii'), 16)
    if (Number.isNaN(length) || (length > 0 && length < 4)) throw new ProtocolError('malformed pkt-line length')
    if (length === 0) {
      at += 4
      return null
    }
    if (at + length > body.length) throw new ProtocolError('truncated pkt-line')
    const line = body.subarray(at + 4, at + length).toString('utf8')
    at += length
    return line.endsWith('\n') ? line.slice(0, -1) : line
  }
  const request: ReceivePackRequest = {
    commands: [],
    capabilities: [],
    shallow: [],
    pushOptions: [],
    pack: Buffer.alloc(0),
  }
  // git sends a lone flush to probe a server before a large chunked push (research §1.1).
  if (body.length === 4 && body.toString('ascii') === flush) return request
  for (let line = next(); line !== null; line = next()) {
    if (line.startsWith('shallow ')) {
      request.shallow.push(line.slice(8))
      continue
    }
    const [command, caps] = line.split('\0')
    if (caps !== undefined && request.commands.length === 0)
      request.capabilities = caps.trim().split(' ').filter(Boolean)
    const match = /^([0-9a-f]{40}) ([0-9a-f]{40}) (\S+)$/.exec(command ?? '')
    if (!match) throw new ProtocolError('malformed command line')
    request.commands.push({ oldOid: match[1]!, newOid: match[2]!, ref: match[3]! })
  }
  if (request.capabilities.includes('push-options')) {
    for (let line = next(); line !== null; line = next()) request.pushOptions.push(line)
  }
  request.pack = body.subarray(at)
  return request
}

type Bands = Pick<ReceivePackRequest, 'capabilities'>

/** git's side-band-64k: a packet holds 65,515 bytes of data after its length and band byte. */
function band(channel: 1 | 2, data: Buffer): Buffer[] {
  const packets: Buffer[] = []
  for (let i = 0; i < data.length; i += 65515)
    packets.push(pktLine(Buffer.concat([Buffer.from([channel]), data.subarray(i, i + 65515)])))
  return packets
}

/**
 * Progress lines on band 2, which git prints as `remote: …` as soon as they arrive; nothing when the
 * client asked for no bands (it would read them as the report).
 */
export function progress(request: Bands, messages: readonly string[]): Buffer {
  if (!request.capabilities.includes('side-band-64k')) return Buffer.alloc(0)
  return Buffer.concat(messages.flatMap((message) => band(2, Buffer.from(`${message}\n`))))
}

/** The end of the answer: report-status, on band 1 when the client asked for bands, then a flush. */
export function reportStatus(
  request: Bands,
  outcome: { unpack: 'ok' | string; refs: { ref: string; error?: string }[] },
): Buffer {
  const status = Buffer.concat([
    pktLine(`unpack ${outcome.unpack}\n`),
    ...outcome.refs.map(({ ref, error }) => pktLine(error ? `ng ${ref} ${error}\n` : `ok ${ref}\n`)),
    Buffer.from(flush),
  ])
  if (!request.capabilities.includes('side-band-64k')) return status
  return Buffer.concat([...band(1, status), Buffer.from(flush)])
}

/** The whole answer at once: progress lines on band 2, then report-status on band 1 (if the client asked for bands). */
export function report(
  request: Bands,
  outcome: { unpack: 'ok' | string; refs: { ref: string; error?: string }[]; messages: string[] },
): Buffer {
  return Buffer.concat([progress(request, outcome.messages), reportStatus(request, outcome)])
}
