import { createHash } from 'node:crypto'
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkout, loadTrees, saveTrees, walkHistory } from '../../shared/git/checkout.js'
import { parseCommit, parseTree } from '../../shared/git/objects.js'
import { indexPack } from '../../shared/git/pack.js'
import {
  catAll,
  codeOf,
  commitAll,
  git,
  gitText,
  initRepo,
  packOf,
  removeTempDirs,
  richRepo,
  tempDir,
  writeFiles,
} from '../support/git-fixtures.js'

const repo = richRepo()
afterAll(removeTempDirs)

/** path → what a checkout holds there: a file's SHA-256 and exec bit, a folder, or a symlink's target. */
function listing(root: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name
      const st = lstatSync(join(root, path))
      if (st.isSymbolicLink()) out.set(path, `link ${readlinkSync(join(root, path))}`)
      else if (st.isDirectory()) {
        out.set(path, 'dir')
        walk(path)
      } else {
        const sum = createHash('sha256')
          .update(readFileSync(join(root, path)))
          .digest('hex')
        out.set(path, `${st.mode & 0o100 ? 'exec' : 'file'} ${sum}`)
      }
    }
  }
  walk('')
  return out
}

function gitCheckout(dir: string, rev: string): string {
  const out = tempDir('vega-git-want-')
  git(dir, ['--work-tree', out, 'checkout', '-q', '-f', rev, '--', '.'])
  git(dir, ['checkout', '-q', '-f', 'main'])
  return out
}

/** A tree object written byte for byte, so names git itself would refuse can be tested. */
function writeTree(dir: string, entries: { mode: string; name: string; oid: string }[]): string {
  const body = Buffer.concat(entries.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.oid, 'hex')]))
  return gitText(dir, ['hash-object', '-t', 'tree', '-w', '--literally', '--stdin'], body)
}

function hostileCommit(entries: (blob: string, tree: string) => { mode: string; name: string; oid: string }[]) {
  const dir = initRepo()
  const blob = gitText(dir, ['hash-object', '-w', '--stdin'], 'payload\n')
  const inner = writeTree(dir, [{ mode: '100644', name: 'x', oid: blob }])
  const tree = writeTree(dir, entries(blob, inner))
  const commit = gitText(dir, ['commit-tree', tree, '-m', 'hostile'])
  return { index: indexPack(git(dir, ['pack-objects', '--stdout', '--revs', '-q'], `${commit}\n`)), commit }
}

describe('checkout', () => {
  for (const rev of ['HEAD', 'v1', 'HEAD~2']) {
    it(`writes the tree of ${rev} exactly as git checkout does`, () => {
      const index = indexPack(packOf(repo.dir))
      const oid = gitText(repo.dir, ['rev-parse', `${rev}^{commit}`])
      const want = listing(gitCheckout(repo.dir, oid))
      const dir = tempDir('vega-git-got-')

      const stats = checkout(index, oid, dir)

      const links = [...want].filter(([, v]) => v.startsWith('link '))
      const expected = new Map([...want].filter(([, v]) => !v.startsWith('link ')))
      expect(listing(dir)).toEqual(expected)
      expect(stats.symlinks.map((s) => [s.path, `link ${s.target}`])).toEqual(links)
      expect(stats.files).toBe([...expected.values()].filter((v) => !v.startsWith('dir')).length)
      // Each written file's blob id, as git's own listing gives it (symlinks and submodules are not files).
      const blobs = gitText(repo.dir, ['ls-tree', '-r', '-z', oid])
        .split('\0')
        .filter((line) => / blob /.test(line) && !line.startsWith('120000'))
        .map((line) => [line.slice(line.indexOf('\t') + 1), line.split(' ')[2]!.split('\t')[0]!] as const)
      expect(stats.oids).toEqual(new Map(blobs))
    })
  }

  it('records the symlink and the submodule and marks the executable', () => {
    const index = indexPack(packOf(repo.dir))
    const dir = tempDir('vega-git-got-')

    const stats = checkout(index, repo.head, dir)

    expect(stats.symlinks).toEqual([{ path: 'docs/readme-link', target: '../README.md' }])
    expect(stats.submodules).toEqual([{ path: 'vendor/sub', oid: gitText(repo.dir, ['rev-parse', 'HEAD:vendor/sub']) }])
    expect(lstatSync(join(dir, 'bin/run.sh')).mode & 0o777).toBe(0o755)
    expect(lstatSync(join(dir, 'README.md')).mode & 0o777).toBe(0o644)
    expect(existsSync(join(dir, 'docs/readme-link'))).toBe(false)
  })

  it('writes only the files writeIf selects, with the folders they need, and lists every file', () => {
    const index = indexPack(packOf(repo.dir))
    const full = checkout(index, repo.head, tempDir('vega-git-full-'))
    const dir = tempDir('vega-git-got-')
    const asked: string[] = []

    const stats = checkout(index, repo.head, dir, {
      writeIf: (file) => {
        asked.push(file.path)
        return file.path.endsWith('.ts') || file.path === 'bin/run.sh'
      },
    })

    const want = listing(gitCheckout(repo.dir, repo.head))
    const kept = ['bin', 'bin/run.sh', 'src', 'src/app.ts', 'src/lib', 'src/lib/util.ts']
    expect(listing(dir)).toEqual(new Map(kept.map((path) => [path, want.get(path)])))
    expect(asked.sort()).toEqual([...full.oids.keys()].sort())
    expect({ ...stats, listed: [] }).toEqual({ ...full, listed: [] })
    const sizes = gitText(repo.dir, ['ls-tree', '-r', '-l', repo.head])
      .split('\n')
      .filter((line) => / blob /.test(line) && !line.startsWith('120000'))
      .map((line) => {
        const [meta, path] = line.split('\t') as [string, string]
        const [, , oid, size] = meta.split(/\s+/)
        return { path, size: Number(size), oid, written: kept.includes(path) }
      })
    expect([...stats.listed].sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      sizes.sort((a, b) => a.path.localeCompare(b.path)),
    )
  })

  it('reads only the trees an earlier checkout did not list, and lists what a checkout from scratch lists', () => {
    const dir = initRepo()
    const files = Object.fromEntries(
      ['a/b/c/x.txt', 'a/b/y.txt', 'a/z.txt', 'd/e/f.txt', 'd/g.txt', 'h.txt'].map((path) => [path, `${path}\n`]),
    )
    writeFiles(dir, files)
    const before = commitAll(dir, 'first')
    writeFiles(dir, { 'a/b/c/x.txt': 'changed\n' })
    const after = commitAll(dir, 'second')
    const index = indexPack(packOf(dir))
    const earlier = checkout(index, before, tempDir(), { writeIf: () => false })
    const read = index.read.bind(index)
    const treesRead: string[] = []
    index.read = (oid) => {
      const object = read(oid)
      if (object.type === 'tree') treesRead.push(oid)
      return object
    }

    const again = checkout(index, after, tempDir(), {
      writeIf: () => false,
      trees: loadTrees(saveTrees(earlier.trees)),
    })

    // The root, a, a/b and a/b/c changed; d and d/e were listed.
    expect(treesRead).toHaveLength(4)
    expect(again.trees.size).toBe(earlier.trees.size)
    index.read = read
    const scratch = checkout(index, after, tempDir(), { writeIf: () => false })
    expect(again).toEqual(scratch)
  })

  it('takes a listed tree only from a pack that holds it, and no saved tree with a name a read would refuse', () => {
    const { dir, head } = { dir: repo.dir, head: repo.head }
    const earlier = checkout(indexPack(packOf(dir)), head, tempDir(), { writeIf: () => false })
    // The commit and every blob of its tree, but none of its trees.
    const blobs = gitText(dir, ['ls-tree', '-r', head])
      .split('\n')
      .filter((line) => / blob /.test(line))
      .map((line) => line.split(/\s+/)[2])
    const treeless = indexPack(git(dir, ['pack-objects', '--stdout', '-q'], `${[head, ...blobs].join('\n')}\n`))
    const root = gitText(dir, ['rev-parse', `${head}^{tree}`])
    const hostile = new Map([[root, [{ mode: '100644', kind: 'file' as const, name: '../x', oid: root }]]])

    expect(codeOf(() => checkout(treeless, head, tempDir(), { trees: earlier.trees }))).toBe('missing_object')
    expect(loadTrees(saveTrees(hostile))).toBeUndefined()
    expect(loadTrees(Buffer.from('not gzip'))).toBeUndefined()
  })

  it('checks every entry, written or not', () => {
    const none = { writeIf: () => false }
    const index = indexPack(packOf(repo.dir))
    const notABlob = hostileCommit((_, tree) => [{ mode: '100644', name: 'x', oid: tree }])
    const dotGit = hostileCommit((blob) => [{ mode: '100644', name: '.git', oid: blob }])

    expect(codeOf(() => checkout(notABlob.index, notABlob.commit, tempDir(), none))).toBe('bad_object')
    expect(codeOf(() => checkout(dotGit.index, dotGit.commit, tempDir(), none))).toBe('unsafe_path')
    expect(codeOf(() => checkout(index, repo.head, tempDir(), { ...none, maxFiles: 2 }))).toBe('too_large')
    expect(codeOf(() => checkout(index, repo.head, tempDir(), { ...none, maxBytes: 1000 }))).toBe('too_large')
    expect(codeOf(() => checkout(index, repo.head, tempDir(), { ...none, deadline: Date.now() - 1 }))).toBe(
      'time_budget',
    )
    const out = tempDir()
    const stats = checkout(index, repo.head, out, none)
    expect(readdirSync(out)).toEqual([])
    expect(stats.symlinks).toEqual([{ path: 'docs/readme-link', target: '../README.md' }])
    expect(stats.submodules.map((s) => s.path)).toEqual(['vendor/sub'])
  })

  for (const name of ['..', '.', '.git', '.GiT']) {
    it(`refuses a tree entry named ${name} with unsafe_path`, () => {
      const { index, commit } = hostileCommit((_, tree) => [{ mode: '40000', name, oid: tree }])

      expect(codeOf(() => checkout(index, commit, tempDir()))).toBe('unsafe_path')
    })
  }

  it('refuses .git as a file deep in the tree, a name with a slash and a repeated name', () => {
    const deep = hostileCommit((blob, tree) => [
      { mode: '40000', name: 'a', oid: tree },
      { mode: '100644', name: '.git', oid: blob },
    ])
    const slash = hostileCommit((blob) => [{ mode: '100644', name: 'a/b', oid: blob }])
    const twice = hostileCommit((blob) => [
      { mode: '100644', name: 'a', oid: blob },
      { mode: '100644', name: 'a', oid: blob },
    ])
    const absolute = hostileCommit((blob) => [{ mode: '100644', name: '/etc/passwd', oid: blob }])

    for (const { index, commit } of [deep, slash, twice, absolute]) {
      expect(codeOf(() => checkout(index, commit, tempDir()))).toBe('unsafe_path')
    }
  })

  it('skips a symlink to / and never writes through it', () => {
    const dir = initRepo()
    const target = gitText(dir, ['hash-object', '-w', '--stdin'], '/')
    const blob = gitText(dir, ['hash-object', '-w', '--stdin'], 'x')
    const tree = writeTree(dir, [
      { mode: '120000', name: 'root', oid: target },
      { mode: '100644', name: 'z', oid: blob },
    ])
    const commit = gitText(dir, ['commit-tree', tree, '-m', 'link'])
    const index = indexPack(git(dir, ['pack-objects', '--stdout', '--revs', '-q'], `${commit}\n`))
    const out = tempDir()

    const stats = checkout(index, commit, out)

    expect(stats.symlinks).toEqual([{ path: 'root', target: '/' }])
    expect(readdirSync(out)).toEqual(['z'])
  })

  it('stops a tree whose shared subtrees fan out into millions of folders', () => {
    const dir = initRepo()
    let tree = writeTree(dir, [])
    for (let level = 0; level < 5; level++) {
      tree = writeTree(
        dir,
        Array.from({ length: 20 }, (_, k) => ({ mode: '40000', name: `d${String(k).padStart(2, '0')}`, oid: tree })),
      )
    }
    const commit = gitText(dir, ['commit-tree', tree, '-m', 'fan-out'])
    const index = indexPack(git(dir, ['pack-objects', '--stdout', '--revs', '-q'], `${commit}\n`))

    expect(codeOf(() => checkout(index, commit, tempDir(), { maxFiles: 500 }))).toBe('too_large')
    expect(codeOf(() => walkHistory(index, [commit], { maxEntries: 500 }))).toBe('too_large')
  })

  it('trips the file and byte limits', () => {
    const index = indexPack(packOf(repo.dir))

    expect(codeOf(() => checkout(index, repo.head, tempDir(), { maxFiles: 2 }))).toBe('too_large')
    expect(codeOf(() => checkout(index, repo.head, tempDir(), { maxBytes: 1000 }))).toBe('too_large')
    expect(codeOf(() => checkout(index, repo.head, tempDir(), { deadline: Date.now() - 1 }))).toBe('time_budget')
  })
})

describe('walkHistory', () => {
  it('lists every blob of the history once, with its first commit and every path', () => {
    const index = indexPack(packOf(repo.dir))
    const objects = catAll(repo.dir)
    const wantBlobs = [...objects].filter(([, o]) => o.type === 'blob').map(([oid]) => oid)
    const wantCommits = gitText(repo.dir, ['rev-list', 'HEAD']).split('\n')

    const walk = walkHistory(index, [repo.head])

    expect([...walk.blobs.keys()].sort()).toEqual(wantBlobs.filter((b) => b !== '').sort())
    expect([...walk.commits].sort()).toEqual([...wantCommits].sort())
    expect(walk.commits[0]).toBe(gitText(repo.dir, ['rev-list', '--max-parents=0', 'HEAD']))
    const guide = walk.blobs.get(gitText(repo.dir, ['rev-parse', 'HEAD:docs/manual.md']))!
    expect(guide.paths.map((p) => p.path).sort()).toEqual(['docs/guide.md', 'docs/manual.md'])
    expect(guide.firstCommit).toBe(walk.commits[0])
    for (const [oid, sighting] of walk.blobs) {
      for (const { commit, path } of sighting.paths) {
        expect(gitText(repo.dir, ['rev-parse', `${commit}:${path}`])).toBe(oid)
      }
    }
  })

  it('peels annotated tags given as heads', () => {
    const index = indexPack(packOf(repo.dir))
    const tag = gitText(repo.dir, ['rev-parse', 'v1-annotated'])

    const walk = walkHistory(index, [tag])

    expect(walk.commits.at(-1)).toBe(gitText(repo.dir, ['rev-parse', 'v1-annotated^{commit}']))
    expect(checkout(index, tag, tempDir()).files).toBeGreaterThan(5)
  })

  it('stops at the boundary of a shallow clone, whose parents are not in the pack', () => {
    const clone = join(tempDir(), 'clone')
    git(repo.dir, ['clone', '-q', '--depth', '2', `file://${repo.dir}`, clone])
    const index = indexPack(packOf(clone, 'HEAD'))

    const walk = walkHistory(index, [repo.head])

    expect([...walk.commits].sort()).toEqual(gitText(clone, ['rev-list', 'HEAD']).split('\n').sort())
    expect(walk.commits.length).toBeLessThan(gitText(repo.dir, ['rev-list', 'HEAD']).split('\n').length)
    expect(checkout(index, repo.head, tempDir()).files).toBeGreaterThan(5)
  })

  it('parses commits and trees as git cat-file shows them', () => {
    const index = indexPack(packOf(repo.dir))
    const commit = parseCommit(index.read(repo.head).content)

    expect(commit.tree).toBe(gitText(repo.dir, ['rev-parse', 'HEAD^{tree}']))
    expect(commit.parents).toEqual(gitText(repo.dir, ['rev-parse', 'HEAD^1', 'HEAD^2']).split('\n'))
    expect(commit.author?.email).toBe('ada@example.com')
    expect(commit.message).toContain('Merge branch')
    const names = parseTree(index.read(commit.tree).content).map((e) => `${e.mode} ${e.name}`)
    expect(names).toEqual(
      gitText(repo.dir, ['ls-tree', 'HEAD'])
        .split('\n')
        .map((l) => l.replace(/^0?(\d+) \w+ \w+\t/, '$1 ')),
    )
  })
})
