// Real git repositories built at run time, for the pack reader and checkout tests.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { GitError } from '../../shared/git/errors.js'

let clock = 1_700_000_000

const gitEnv = () => ({
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Ada',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  // Distinct, increasing times, so "oldest first" is well defined.
  GIT_AUTHOR_DATE: `${clock} +0000`,
  GIT_COMMITTER_DATE: `${clock} +0000`,
})

export function git(cwd: string, args: string[], input?: string | Buffer): Buffer {
  return execFileSync('git', args, { cwd, env: gitEnv(), input, maxBuffer: 1024 ** 3 })
}

export const gitText = (cwd: string, args: string[], input?: string | Buffer) => git(cwd, args, input).toString().trim()

const made: string[] = []

export function tempDir(prefix = 'vega-git-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

/** For `afterAll`: every folder this file's tests made. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export function initRepo(): string {
  const dir = tempDir()
  git(dir, ['init', '-q', '-b', 'main'])
  return dir
}

export function commitAll(dir: string, message: string): string {
  clock += 60
  git(dir, ['add', '-A'])
  git(dir, ['commit', '-q', '--allow-empty', '-m', message])
  return gitText(dir, ['rev-parse', 'HEAD'])
}

/** Writes files at paths relative to `dir`, making the folders they need. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
}

/** A new repository of one commit holding these files, and what a push of it to main sends: the pack and refs. */
export function committedPack(files: Record<string, string>, message = 'first') {
  const dir = initRepo()
  writeFiles(dir, files)
  const head = commitAll(dir, message)
  return { dir, head, pack: packOf(dir, 'HEAD'), refs: [{ ref: 'refs/heads/main', oid: head }] }
}

const lorem = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => `line ${i} of the text, seed ${seed}: ${(i * 7919 + seed) % 1000}`).join('\n')

/**
 * A repository with edits (so deltas), renames, binary files, an executable, a symlink, nested folders,
 * a submodule entry, branches and tags.
 */
export function richRepo(): { dir: string; head: string } {
  const dir = initRepo()
  const w = (rel: string, content: string | Buffer) => writeFiles(dir, { [rel]: content })
  w('README.md', '# demo\n')
  w('src/app.ts', lorem(300, 1))
  w('src/lib/util.ts', lorem(200, 2))
  w('docs/guide.md', lorem(100, 3))
  commitAll(dir, 'initial')
  for (let i = 0; i < 8; i++) {
    w('src/app.ts', `${lorem(300, 1)}\nchange ${i}\n${lorem(20, i)}`)
    w('src/lib/util.ts', `${lorem(200 + i * 3, 2)}\n`)
    commitAll(dir, `edit ${i}`)
  }
  const binary = Buffer.alloc(70_000)
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 31 + (i >> 8)) & 0xff
  w('assets/blob.bin', binary)
  w('bin/run.sh', '#!/bin/sh\necho run\n')
  chmodSync(join(dir, 'bin/run.sh'), 0o755)
  symlinkSync('../README.md', join(dir, 'docs/readme-link'))
  w('a/b/c/d/deep.txt', 'deep\n')
  w('empty.txt', '')
  commitAll(dir, 'binary, executable, symlink, nested')
  git(dir, ['branch', 'side'])
  git(dir, ['tag', 'v1'])
  git(dir, ['tag', '-a', 'v1-annotated', '-m', 'annotated tag'])
  renameSync(join(dir, 'docs/guide.md'), join(dir, 'docs/manual.md'))
  binary[100] = 7
  w('assets/blob.bin', binary)
  commitAll(dir, 'rename and binary edit')
  const sub = gitText(dir, ['rev-parse', 'HEAD~1'])
  git(dir, ['update-index', '--add', '--cacheinfo', `160000,${sub},vendor/sub`])
  clock += 60
  git(dir, ['commit', '-q', '-m', 'submodule'])
  git(dir, ['checkout', '-q', 'side'])
  w('side.txt', lorem(50, 9))
  commitAll(dir, 'side work')
  git(dir, ['checkout', '-q', 'main'])
  clock += 60
  git(dir, ['merge', '-q', '--no-edit', 'side'])
  return { dir, head: gitText(dir, ['rev-parse', 'HEAD']) }
}

/** A pack as `git push` would send it; without ofs the deltas are REF_DELTA. */
export function packOf(dir: string, revs = '--all', options: { ofs?: boolean; window?: number } = {}): Buffer {
  const args = ['pack-objects', '--stdout', '--revs', '-q']
  if (options.ofs ?? true) args.push('--delta-base-offset')
  if (options.window !== undefined) args.push(`--window=${options.window}`)
  // `--all` is an option of pack-objects, not a rev it reads from stdin.
  if (revs === '--all') return git(dir, [...args, '--all'], '')
  return git(dir, args, `${revs}\n`)
}

/** Every object of the history, as `git rev-list --objects --all` lists it, with type and content. */
export function catAll(dir: string): Map<string, { type: string; content: Buffer }> {
  const oids = gitText(dir, ['rev-list', '--objects', '--all'])
    .split('\n')
    .map((l) => l.slice(0, 40))
  const out = new Map<string, { type: string; content: Buffer }>()
  const batch = git(dir, ['cat-file', '--batch'], `${oids.join('\n')}\n`)
  let p = 0
  while (p < batch.length) {
    const nl = batch.indexOf(10, p)
    const [oid, type, size] = batch.toString('latin1', p, nl).split(' ') as [string, string, string]
    const content = batch.subarray(nl + 1, nl + 1 + Number(size))
    out.set(oid, { type, content })
    p = nl + 1 + Number(size) + 1
  }
  return out
}

/** A pack written by hand, for shapes git never produces: `base` makes a REF_DELTA, `ofs` an OFS_DELTA. */
export function rawPack(
  entries: { type: number; data: Buffer; size?: number; base?: string; ofs?: number; deflated?: Buffer }[],
): Buffer {
  const parts: Buffer[] = []
  const head = Buffer.alloc(12)
  head.write('PACK', 0, 'latin1')
  head.writeUInt32BE(2, 4)
  head.writeUInt32BE(entries.length, 8)
  parts.push(head)
  let offset = 12
  const offsets: number[] = []
  for (const e of entries) {
    offsets.push(offset)
    let size = e.size ?? e.data.length
    const bytes = [(e.type << 4) | (size & 15)]
    size = Math.floor(size / 16)
    while (size > 0) {
      bytes[bytes.length - 1]! |= 0x80
      bytes.push(size & 0x7f)
      size = Math.floor(size / 128)
    }
    let extra = Buffer.alloc(0)
    if (e.base) extra = Buffer.from(e.base, 'hex')
    if (e.ofs !== undefined) {
      let rel = offset - offsets[e.ofs]!
      const enc = [rel & 0x7f]
      // git's offset encoding: big-endian 7-bit groups, each continuation group one less.
      for (rel >>= 7; rel > 0; rel >>= 7) {
        rel -= 1
        enc.unshift(0x80 | (rel & 0x7f))
      }
      extra = Buffer.from(enc)
    }
    const body = Buffer.concat([Buffer.from(bytes), extra, e.deflated ?? deflateSync(e.data)])
    parts.push(body)
    offset += body.length
  }
  const all = Buffer.concat(parts)
  return Buffer.concat([all, createHash('sha1').update(all).digest()])
}

/** A delta in git's format; `ops` are raw instruction bytes. */
export function rawDelta(sourceSize: number, targetSize: number, ops: number[]): Buffer {
  const varint = (n: number) => {
    const out: number[] = []
    do {
      out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0))
      n = Math.floor(n / 128)
    } while (n > 0)
    return out
  }
  return Buffer.from([...varint(sourceSize), ...varint(targetSize), ...ops])
}

/** The GitError code a call throws, or undefined when it does not throw. */
export const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn()
  } catch (err) {
    if (err instanceof GitError) return err.code
    throw err
  }
  return undefined
}
