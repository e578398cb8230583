// Worker threads that read blobs for the secrets engine, when asked for (`threads` > 1): regexes are
// single-threaded JavaScript. Alone on two cores they read a large history ~15 % sooner for ~45 % more
// CPU; beside the code engine, as in every full scan, they only cost CPU, so the engine reads on its own
// thread by default. The engine's thread inflates blobs and hands each one over; a worker answers with
// its matches, rules named by id (a rule holds functions, which cannot cross threads).
// A worker runs this very module (in a Lambda bundle, the bundle itself): loaded off the main thread with
// the role below, it serves jobs instead of exporting them.
import { isMainThread, parentPort, type Worker, workerData } from 'node:worker_threads'
import { moduleThread } from '../../../threads.js'
import { type BlobReading, readBlob, readingFromWire, readingToWire, type WireReading } from './blob.js'
import { defaultMatchOptions } from './matcher.js'
import type { SecretlintMode } from './secretlint-layer.js'

const role = 'vega-secrets-reader'

interface Job {
  id: number
  bytes: Uint8Array
  path: string
  secretlint: SecretlintMode
}

type Answer = { id: number; reading: WireReading } | { id: number; error: string }

if (!isMainThread && workerData?.role === role) {
  const port = parentPort!
  port.on('message', async (job: Job) => {
    try {
      const reading = await readBlob(job.bytes, job.path, defaultMatchOptions, job.secretlint)
      port.postMessage({ id: job.id, reading: readingToWire(reading) } satisfies Answer)
    } catch (error) {
      port.postMessage({ id: job.id, error: String(error) } satisfies Answer)
    }
  })
}

interface Pending {
  resolve: (reading: BlobReading) => void
  reject: (error: Error) => void
}

/** A pool of reader threads with the product's default rules; `close` when the scan is done. */
export class BlobReaders {
  private readonly workers: { worker: Worker; pending: Map<number, Pending> }[] = []
  private nextId = 0

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const worker = moduleThread(import.meta.url, { role })
      const pending = new Map<number, Pending>()
      worker.on('message', (answer: Answer) => {
        const waiting = pending.get(answer.id)
        pending.delete(answer.id)
        if ('error' in answer) waiting?.reject(new Error(`a secrets reader failed: ${answer.error}`))
        else waiting?.resolve(readingFromWire(answer.reading))
      })
      // A thread that dies takes its jobs with it: the scan fails and its message is retried.
      worker.on('error', (error) => {
        for (const waiting of pending.values()) waiting.reject(error)
        pending.clear()
      })
      this.workers.push({ worker, pending })
    }
  }

  /** Reads a blob on the least busy thread. The bytes are copied: the caller's buffer may be cached. */
  read(bytes: Uint8Array, path: string, secretlint: SecretlintMode): Promise<BlobReading> {
    const target = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a))
    const id = this.nextId++
    const copy = new Uint8Array(bytes)
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject })
      target.worker.postMessage({ id, bytes: copy, path, secretlint } satisfies Job, [copy.buffer])
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()))
  }
}
