// Legacy archives unpacked as hostile input: each trick fails with its code, and nothing is ever written
// outside the folder or through a link.
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { InputError } from '../../shared/errors.js'
import { type ArchiveLimits, extractArchive, looksLike, safePath } from '../../shared/scanning/archive.js'
import { tarGz, zip } from '../support/archives.js'

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A sandbox with the extraction folder inside it, so an escape would land in the sandbox, visibly. */
function sandbox() {
  const outer = mkdtempSync(join(tmpdir(), 'vega-archive-test-'))
  made.push(outer)
  return { outer, dir: mkdtempSync(join(outer, 'into-')) }
}

const limits = (overrides: Partial<ArchiveLimits> = {}): ArchiveLimits => ({
  maxInflatedBytes: 512 * 1024 * 1024,
  maxEntries: 1000,
  maxRatio: 200,
  deadline: Date.now() + 60_000,
  ...overrides,
})

async function failure(run: Promise<unknown>): Promise<InputError> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(InputError)
  return error as InputError
}

describe('archive extraction', () => {
  it('unpacks a tar.gz: nested folders, ./ prefixes; .git skipped; symlinks recorded, never created', async () => {
    const { dir } = sandbox()
    const archive = await tarGz([
      { name: './src/', type: 'directory' },
      { name: './src/index.js', content: 'export default 1\n' },
      { name: 'README.md', content: '# hi\n' },
      { name: 'project/.git/config', content: '[core]\n' },
      { name: 'link-to-root', type: 'symlink', linkname: '/' },
      { name: 'pipe', type: 'fifo' },
    ])

    const stats = await extractArchive(archive, 'tar.gz', dir, limits())

    expect(readFileSync(join(dir, 'src/index.js'), 'utf8')).toBe('export default 1\n')
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'src'])
    expect(stats).toEqual({
      files: 2,
      bytes: 22,
      symlinks: [{ path: 'link-to-root', target: '/' }],
      skipped: 2,
    })
  })

  it('unpacks a zip, stored and deflated, with its symlink recorded and not created', async () => {
    const { dir } = sandbox()
    const archive = zip([
      { name: 'app/', content: '', mode: 0o040755 },
      { name: 'app/main.py', content: 'print("hi")\n', deflate: true },
      { name: 'app/data.txt', content: 'plain\n' },
      { name: 'app/etc', content: '/etc', mode: 0o120000 },
    ])

    const stats = await extractArchive(archive, 'zip', dir, limits())

    expect(readFileSync(join(dir, 'app/main.py'), 'utf8')).toBe('print("hi")\n')
    expect(existsSync(join(dir, 'app/etc'))).toBe(false)
    expect(stats).toMatchObject({ files: 2, symlinks: [{ path: 'app/etc', target: '/etc' }] })
  })

  it.each([
    ['tar.gz', '../../etc/passwd'],
    ['tar.gz', '/etc/passwd'],
    ['tar.gz', 'a/../../escape.txt'],
    ['tar.gz', 'C:/windows/evil.txt'],
    ['tar.gz', 'dir\\..\\..\\evil.txt'],
    ['zip', '../../etc/passwd'],
    ['zip', '/etc/passwd'],
    ['zip', 'a/../../escape.txt'],
  ] as const)('refuses the %s entry %s with unsafe_path and writes nothing outside', async (format, name) => {
    const { outer, dir } = sandbox()
    const entries = [
      { name: 'ok.txt', content: 'fine\n' },
      { name, content: 'root::0:0::/:/bin/sh\n' },
    ]
    const archive = format === 'zip' ? zip(entries) : await tarGz(entries)

    const error = await failure(extractArchive(archive, format, dir, limits()))

    expect(error.code).toBe('unsafe_path')
    expect(readdirSync(outer)).toEqual([dir.split('/').pop()])
    expect(existsSync('/etc/passwd') && readFileSync('/etc/passwd', 'utf8').includes('root::0:0::/:/bin/sh')).toBe(
      false,
    )
  })

  it('never writes through a symlink that an earlier entry names (tar)', async () => {
    const { outer, dir } = sandbox()
    const archive = await tarGz([
      { name: 'escape', type: 'symlink', linkname: outer },
      { name: 'escape/planted.txt', content: 'gotcha\n' },
    ])

    const stats = await extractArchive(archive, 'tar.gz', dir, limits())

    // The link was never made, so its name became a plain folder inside the sandbox.
    expect(lstatSync(join(dir, 'escape')).isDirectory()).toBe(true)
    expect(existsSync(join(outer, 'planted.txt'))).toBe(false)
    expect(stats.symlinks).toEqual([{ path: 'escape', target: outer }])
  })

  it('stops a gzip bomb while inflating: archive_bomb, long before it is all written', async () => {
    const { dir } = sandbox()
    const archive = await tarGz([{ name: 'zeros.bin', content: Buffer.alloc(64 * 1024 * 1024) }])
    expect(archive.length).toBeLessThan(256 * 1024)

    const error = await failure(extractArchive(archive, 'tar.gz', dir, limits()))

    expect(error.code).toBe('archive_bomb')
    const written = existsSync(join(dir, 'zeros.bin')) ? lstatSync(join(dir, 'zeros.bin')).size : 0
    expect(written).toBeLessThan(200 * archive.length + 1024 * 1024)
  })

  it('refuses a zip bomb from its declared sizes before inflating anything', async () => {
    const { dir } = sandbox()
    const archive = zip([{ name: 'zeros.bin', content: Buffer.alloc(32 * 1024 * 1024), deflate: true }])

    const error = await failure(extractArchive(archive, 'zip', dir, limits()))

    expect(error.code).toBe('archive_bomb')
    expect(existsSync(join(dir, 'zeros.bin'))).toBe(false)
  })

  it('catches a zip entry that inflates past the size it declares', async () => {
    const { dir } = sandbox()
    const archive = zip([
      { name: 'liar.bin', content: Buffer.alloc(4 * 1024 * 1024), deflate: true, declaredSize: 100 },
    ])

    const error = await failure(extractArchive(archive, 'zip', dir, limits()))

    expect(error.code).toBe('bad_archive')
    expect(existsSync(join(dir, 'liar.bin')) ? lstatSync(join(dir, 'liar.bin')).size : 0).toBeLessThanOrEqual(100)
  })

  it('bounds the inflated total and the entry count', async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `f${i}.txt`, content: `${i}\n` }))
    const big = [{ name: 'big.txt', content: 'x'.repeat(5000) }]
    for (const format of ['tar.gz', 'zip'] as const) {
      const build = (entries: typeof many) => (format === 'zip' ? Promise.resolve(zip(entries)) : tarGz(entries))
      const count = await failure(extractArchive(await build(many), format, sandbox().dir, limits({ maxEntries: 10 })))
      const total = await failure(
        extractArchive(await build(big), format, sandbox().dir, limits({ maxInflatedBytes: 4096, maxRatio: 10_000 })),
      )
      expect([format, count.code, total.code]).toEqual([format, 'too_large', 'too_large'])
    }
  })

  it('calls broken input bad_archive', async () => {
    const notGzip = failure(extractArchive(Buffer.from('not a gzip at all'), 'tar.gz', sandbox().dir, limits()))
    const truncated = zip([{ name: 'a.txt', content: 'a'.repeat(1000) }]).subarray(0, 500)
    const brokenZip = failure(extractArchive(truncated, 'zip', sandbox().dir, limits()))

    expect((await notGzip).code).toBe('bad_archive')
    expect((await brokenZip).code).toBe('bad_archive')
  })

  it('recognises each format by its first bytes', async () => {
    const gz = await tarGz([{ name: 'a', content: 'a' }])
    expect([looksLike('tar.gz', gz), looksLike('zip', gz)]).toEqual([true, false])
    const z = zip([{ name: 'a', content: 'a' }])
    expect([looksLike('zip', z), looksLike('tar.gz', z), looksLike('zip', zip([]))]).toEqual([true, false, true])
  })

  it('normalises safe paths and skips what is not scanned', () => {
    expect(safePath('./a//b/./c.txt')).toBe('a/b/c.txt')
    expect(safePath('./')).toBeUndefined()
    expect(safePath('repo/.GIT/HEAD')).toBeUndefined()
    expect(() => safePath('a/\0b')).toThrow(InputError)
  })
})
