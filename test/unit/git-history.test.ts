// The history walk of a push built on an earlier one equals the whole walk: the same commits, blobs in
// the same order, the same paths and first commits; and a rewritten history is walked whole.
import { afterAll, describe, expect, it } from 'vitest'
import { type HistoryWalk, walkHistory } from '../../shared/git/checkout.js'
import { loadWalk, saveWalk, walkHistoryAfter } from '../../shared/git/history.js'
import { indexPack } from '../../shared/git/pack.js'
import {
  commitAll,
  git,
  gitText,
  initRepo,
  packOf,
  removeTempDirs,
  richRepo,
  writeFiles,
} from '../support/git-fixtures.js'

afterAll(removeTempDirs)

/** The walk as plain data, in its order. */
const plain = (walk: HistoryWalk) => ({ commits: walk.commits, blobs: [...walk.blobs.entries()] })

describe('walkHistoryAfter', () => {
  it('walks only the new commits and finds what the whole walk finds, through merges, renames and copies', () => {
    const repo = richRepo()
    const index = indexPack(packOf(repo.dir))
    const heads = gitText(repo.dir, ['for-each-ref', '--format=%(objectname)', 'refs/heads']).split('\n')
    const whole = walkHistory(index, heads)
    // Every earlier commit of the first branch's history as the earlier push's tip.
    let reusedTimes = 0
    for (const earlier of gitText(repo.dir, ['rev-list', heads[0]!]).split('\n')) {
      const before = loadWalk(saveWalk(walkHistory(index, [earlier])))
      const { walk, reused } = walkHistoryAfter(index, heads, before)
      expect(plain(walk)).toEqual(plain(whole))
      if (reused) reusedTimes++
    }
    expect(reusedTimes).toBeGreaterThan(2)
  })

  it('reuses the earlier walk when the new commits are newer, and walks everything when history was rewritten', () => {
    const dir = initRepo()
    writeFiles(dir, { 'a.txt': 'a\n', 'src/b.txt': 'b\n', 'src/deep/c.txt': 'c\n' })
    const first = commitAll(dir, 'first')
    writeFiles(dir, { 'src/deep/c.txt': 'c2\n', 'copy.txt': 'a\n' })
    const second = commitAll(dir, 'second')
    const index = indexPack(packOf(dir))
    const before = walkHistory(index, [first])

    const earlier = loadWalk(saveWalk(before))!
    const asSaved = structuredClone(plain(earlier))

    const after = walkHistoryAfter(index, [second], earlier)
    expect(after.reused).toBe(true)
    // The earlier walk is left as it was (a warm worker keeps it), though copy.txt holds a.txt's blob.
    expect(plain(earlier)).toEqual(asSaved)
    expect(plain(after.walk)).toEqual(plain(walkHistory(index, [second])))
    expect(after.walk.blobs.get(gitText(dir, ['rev-parse', 'HEAD:copy.txt']))?.paths.map((p) => p.path)).toEqual([
      'a.txt',
      'copy.txt',
    ])

    // The earlier push's commit is no longer in the history (amended away).
    git(dir, ['commit', '-q', '--amend', '-m', 'rewritten', '--reset-author'])
    const rewritten = gitText(dir, ['rev-parse', 'HEAD'])
    const amended = indexPack(packOf(dir))
    const again = walkHistoryAfter(amended, [rewritten], walkHistory(index, [second]))
    expect(again.reused).toBe(false)
    expect(plain(again.walk)).toEqual(plain(walkHistory(amended, [rewritten])))
  })

  it('reads back only what it saved', () => {
    expect(loadWalk(Buffer.from('not a walk'))).toBeUndefined()
  })
})
