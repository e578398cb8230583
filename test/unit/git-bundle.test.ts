import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseBundle } from '../../shared/git/bundle.js'
import { indexPack } from '../../shared/git/pack.js'
import { catAll, codeOf, git, gitText, removeTempDirs, richRepo, tempDir } from '../support/git-fixtures.js'

const repo = richRepo()
afterAll(removeTempDirs)

function bundle(args: string[], version = 2): Buffer {
  const file = join(tempDir(), 'repo.bundle')
  git(repo.dir, ['bundle', 'create', '-q', `--version=${version}`, file, ...args])
  return readFileSync(file)
}

describe('parseBundle', () => {
  for (const version of [2, 3]) {
    it(`reads the refs and the pack of a v${version} bundle of the whole history`, () => {
      const parsed = parseBundle(bundle(['--all'], version))

      const index = indexPack(parsed.pack)

      expect(parsed.version).toBe(version)
      expect(parsed.prerequisites).toEqual([])
      expect(parsed.refs).toContainEqual({ oid: repo.head, ref: 'refs/heads/main' })
      expect(parsed.refs).toContainEqual({
        oid: gitText(repo.dir, ['rev-parse', 'v1-annotated']),
        ref: 'refs/tags/v1-annotated',
      })
      expect([...index.oids()].sort()).toEqual([...catAll(repo.dir).keys()].sort())
    })
  }

  it('refuses a bundle with prerequisites, whose pack is thin', () => {
    expect(codeOf(() => parseBundle(bundle(['HEAD~2..main'])))).toBe('bad_bundle')
  })

  it('refuses a filtered bundle and garbage', () => {
    const filtered = Buffer.from(`# v3 git bundle\n@filter=blob:none\n${repo.head} refs/heads/main\n\nPACK`)

    expect(codeOf(() => parseBundle(filtered))).toBe('bad_bundle')
    expect(codeOf(() => parseBundle(Buffer.from('PACK\0\0\0\x02')))).toBe('bad_bundle')
    expect(codeOf(() => parseBundle(Buffer.from(`# v2 git bundle\nnot a line\n\nPACK`)))).toBe('bad_bundle')
  })
})
