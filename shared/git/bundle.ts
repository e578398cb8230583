// `git bundle` files: a text header, then the same pack a push sends (research/git-push.md §2.4).
import { closeSync, openSync, readSync } from 'node:fs'
import { GitError } from './errors.js'
import { FileBytes } from './pack-bytes.js'

export interface Bundle {
  version: 2 | 3
  refs: { oid: string; ref: string }[]
  prerequisites: string[]
  pack: Buffer
  /** Where the pack starts. */
  packOffset: number
}

const maxHeaderBytes = 1024 * 1024

export function parseBundle(buf: Buffer): Bundle {
  const stop = buf.indexOf('\n\n', 0, 'latin1')
  if (stop === -1 || stop > maxHeaderBytes) throw new GitError('bad_bundle', 'no bundle header found')
  const lines = buf.toString('utf8', 0, stop).split('\n')
  const first = lines.shift()
  const version = first === '# v2 git bundle' ? 2 : first === '# v3 git bundle' ? 3 : undefined
  if (!version) throw new GitError('bad_bundle', 'not a v2 or v3 git bundle')
  const refs: Bundle['refs'] = []
  const prerequisites: string[] = []
  for (const line of lines) {
    if (version === 3 && line.startsWith('@')) {
      const [key, value] = line.slice(1).split('=', 2)
      if (key === 'object-format' && value === 'sha1') continue
      // A filter makes a partial pack, and another object format is not SHA-1: either leaves objects missing.
      throw new GitError('bad_bundle', `bundle capability ${line} is not supported`)
    }
    const m = /^(-?)([0-9a-f]{40})(?: (.*))?$/.exec(line)
    if (!m) throw new GitError('bad_bundle', 'bundle header has a malformed line')
    if (m[1]) prerequisites.push(m[2]!)
    else if (m[3]) refs.push({ oid: m[2]!, ref: m[3] })
    else throw new GitError('bad_bundle', 'bundle ref line has no ref name')
  }
  if (prerequisites.length > 0) {
    // A bundle with prerequisites carries a thin pack whose bases are elsewhere.
    throw new GitError('bad_bundle', `bundle needs ${prerequisites.length} commits it does not contain`)
  }
  if (refs.length === 0) throw new GitError('bad_bundle', 'bundle has no refs')
  return { version, refs, prerequisites, pack: buf.subarray(stop + 2), packOffset: stop + 2 }
}

/** A bundle on disk: its header parsed, its pack read from the file where it starts. */
export function readBundleFile(path: string): Omit<Bundle, 'pack'> & { pack: FileBytes } {
  const head = Buffer.alloc(maxHeaderBytes + 2)
  const fd = openSync(path, 'r')
  let length: number
  try {
    length = readSync(fd, head, 0, head.length, 0)
  } finally {
    closeSync(fd)
  }
  const bundle = parseBundle(head.subarray(0, length))
  return { ...bundle, pack: new FileBytes(path, bundle.packOffset) }
}
