// The refs advertisement, as git reads it: capabilities on the first line, `.have` lines for the objects a
// push may build on, and `no-thin` only when there are none.
import { describe, expect, it } from 'vitest'
import { advertisement, zeroOid } from '../../shared/git/protocol.js'

const lines = (bytes: Buffer) => {
  const out: string[] = []
  for (let at = 0; at < bytes.length; ) {
    const length = Number.parseInt(bytes.subarray(at, at + 4).toString('ascii'), 16)
    out.push(length === 0 ? '0000' : bytes.subarray(at + 4, at + length).toString('utf8'))
    at += length === 0 ? 4 : length
  }
  return out
}

describe('the receive-pack advertisement', () => {
  it('of a repository never pushed: no refs, and no thin packs', () => {
    const [service, flush, first, end] = lines(advertisement())
    expect([service, flush, end]).toEqual(['# service=git-receive-pack\n', '0000', '0000'])
    const [ref, caps] = first!.split('\0')
    expect(ref).toBe(`${zeroOid} capabilities^{}`)
    expect(caps!.trim().split(' ')).toContain('no-thin')
  })

  it('of a repository pushed before: its tips as .have, capabilities on the first, thin packs welcome', () => {
    const tips = ['a'.repeat(40), 'b'.repeat(40)]
    const [, , first, second, end] = lines(advertisement(tips))
    const [ref, caps] = first!.split('\0')
    expect(ref).toBe(`${tips[0]} .have`)
    expect(caps!.trim().split(' ')).toEqual(expect.arrayContaining(['report-status', 'ofs-delta', 'push-options']))
    expect(caps).not.toContain('no-thin')
    expect(second).toBe(`${tips[1]} .have\n`)
    expect(end).toBe('0000')
  })
})
