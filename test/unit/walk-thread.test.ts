import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { walkHistory } from '../../shared/git/checkout.js'
import { GitError } from '../../shared/git/errors.js'
import { indexPack, type PackIndex } from '../../shared/git/pack.js'
import { FileBytes } from '../../shared/git/pack-bytes.js'
import { walkOnThread } from '../../shared/git/walk-thread.js'
import { prepareSource } from '../../shared/scanning/source.js'
import { gitText, packOf, removeTempDirs, richRepo, tempDir } from '../support/git-fixtures.js'

const repo = richRepo()
const opened: FileBytes[] = []
afterAll(() => {
  for (const file of opened) file.close()
  removeTempDirs()
})

/** The repository's pack as a file behind a prefix, as a bundle holds it. */
function packFile(): FileBytes {
  const path = join(tempDir('vega-walk-'), 'input.bundle')
  const prefix = Buffer.from('# v2 git bundle\n\n')
  writeFileSync(path, Buffer.concat([prefix, packOf(repo.dir)]))
  const file = new FileBytes(path, prefix.length)
  opened.push(file)
  return file
}

const heads = () => [repo.head, gitText(repo.dir, ['rev-parse', 'side'])]

describe('the history walk on a thread', () => {
  it('answers what the walk on this thread answers', async () => {
    const index = indexPack(packFile()) as PackIndex & { pack: FileBytes }

    const walked = walkOnThread(index, heads())

    expect(await walked.walk).toEqual(walkHistory(index, heads()))
    await walked.stop()
  })

  it("hands back the walk's refusal with its code, and the deadline holds there", async () => {
    const index = indexPack(packFile()) as PackIndex & { pack: FileBytes }
    const codeOf = (walking: ReturnType<typeof walkOnThread>) =>
      walking.walk.then(
        () => 'walked',
        (error) => (error instanceof GitError ? error.code : String(error)),
      )

    expect(await codeOf(walkOnThread(index, heads(), { maxEntries: 3 }))).toBe('too_large')
    expect(await codeOf(walkOnThread(index, heads(), { deadline: Date.now() - 1 }))).toBe('time_budget')
  })

  it('makes the same scan source as the walk on the scan thread', async () => {
    const refs = [
      { ref: 'refs/heads/main', oid: repo.head },
      { ref: 'refs/heads/side', oid: heads()[1]! },
    ]
    const read = (walkThreadFrom: number) =>
      prepareSource(packFile(), refs, 'main', tempDir(), Number.POSITIVE_INFINITY, {}, { walkThreadFrom })

    const [threaded, here] = await Promise.all([read(0), read(Number.POSITIVE_INFINITY)])

    expect(threaded.history).toEqual(here.history)
    expect(threaded.files).toEqual(here.files)
    expect(threaded.history.blobs.size).toBeGreaterThan(5)
  })
})
