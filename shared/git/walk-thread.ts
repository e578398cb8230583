// The history walk of a large pack on a thread of its own, while the checkout writes the head's files on the
// scan's thread: both are synchronous and each takes seconds on a 100 MB repository, and they share only
// the pack, which the thread opens and indexes from the saved index. The walk is the one moved: its answer
// is small (blobs and their paths), the checkout's is the folder it writes.
// In a Lambda bundle the thread runs the bundle itself, as the secrets engine's readers do.
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import { moduleThread } from '../threads.js'
import { type HistoryWalk, walkHistory } from './checkout.js'
import { GitError, type GitErrorCode } from './errors.js'
import { loadIndex, type PackIndex, saveIndex } from './pack.js'
import { FileBytes } from './pack-bytes.js'

const role = 'vega-history-walk'

interface Job {
  path: string
  offset: number
  index: Uint8Array
  heads: string[]
  deadline: number
  maxEntries?: number
}

type Answer = { walk: HistoryWalk } | { error: { message: string; code?: GitErrorCode } }

if (!isMainThread && workerData?.role === role) {
  const job = workerData.job as Job
  let pack: FileBytes | undefined
  let answer: Answer
  try {
    pack = new FileBytes(job.path, job.offset)
    const index = loadIndex(pack, Buffer.from(job.index.buffer, job.index.byteOffset, job.index.byteLength), {
      deadline: job.deadline,
    })
    if (!index) throw new Error(`the index handed over is not that of ${job.path}`)
    answer = { walk: walkHistory(index, job.heads, { deadline: job.deadline, maxEntries: job.maxEntries }) }
  } catch (error) {
    answer = {
      error:
        error instanceof GitError
          ? { message: error.message, code: error.code as GitErrorCode }
          : { message: String(error) },
    }
  } finally {
    pack?.close()
  }
  parentPort!.postMessage(answer)
}

/** A walk running on its thread: its answer, or `stop` to end it unanswered (the scan failed meanwhile). */
export interface WalkOnThread {
  walk: Promise<HistoryWalk>
  stop(): Promise<void>
}

/**
 * `walkHistory(index, heads)` on a thread of its own, for a pack read from a file. The answer is the same,
 * a GitError included (its code and message); the deadline holds there too.
 */
export function walkOnThread(
  index: PackIndex & { pack: FileBytes },
  heads: string[],
  options: { deadline?: number; maxEntries?: number } = {},
): WalkOnThread {
  const saved = saveIndex(index)
  const job: Job = {
    path: index.pack.path,
    offset: index.pack.offset,
    index: saved,
    heads,
    deadline: options.deadline ?? Number.POSITIVE_INFINITY,
    maxEntries: options.maxEntries,
  }
  const thread = moduleThread(import.meta.url, { role, job })
  const walk = new Promise<HistoryWalk>((resolve, reject) => {
    thread.once('message', (answer: Answer) => {
      if ('walk' in answer) resolve(answer.walk)
      else if (answer.error.code) reject(new GitError(answer.error.code, answer.error.message))
      else reject(new Error(`the history walk's thread failed: ${answer.error.message}`))
    })
    thread.once('error', reject)
    thread.once('exit', (code) => reject(new Error(`the history walk's thread ended (${code}) without an answer`)))
  })
  // A walk nobody waits for any more must not fail the process as an unhandled rejection.
  walk.catch(() => undefined)
  return {
    walk,
    stop: async () => {
      await thread.terminate()
    },
  }
}
