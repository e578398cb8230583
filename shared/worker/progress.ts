// A running scan's progress on its record, for a push that waits to print as it goes: the input read,
// each engine started and done, recording. Written beside the scan, never in its way: a write in flight
// is not waited for, the newest state replaces any not yet written, and a failed write is forgotten
// (progress is what a client sees, never what the scan depends on).
import { recordProgress, type ScanProgress } from '../data/scans.js'
import type { ScanId } from '../ids.js'

export function progressOf(id: ScanId) {
  let state: ScanProgress | undefined
  /** The engines running now (they run at once), in the order they started. */
  let running: string[] = []
  /** The newest state not yet written; the write chained last takes it. */
  let queued: ScanProgress | undefined
  let writes = Promise.resolve()

  const changed = () => {
    const chained = queued !== undefined
    queued = structuredClone(state)
    if (chained) return
    writes = writes.then(async () => {
      const next = queued!
      queued = undefined
      await recordProgress(id, next).catch(() => undefined)
    })
  }

  return {
    input(figures: Pick<ScanProgress, 'files' | 'blobs' | 'commits' | 'shards'>) {
      state = { ...figures, done: [] }
      changed()
    },
    engineStarted(engine: string) {
      running = [...running, engine]
      if (!state) return
      state.engine = running.join(', ')
      changed()
    },
    engineDone(engine: string, findings: number, ms: number) {
      running = running.filter((name) => name !== engine)
      if (!state) return
      state.engine = running.length ? running.join(', ') : undefined
      state.done.push({ engine, findings, ms })
      changed()
    },
    recording() {
      if (!state) return
      state.recording = true
      changed()
    },
    /** Whatever is being written, written: called before the scan's outcome, so no write lands after it. */
    settled: () => writes,
  }
}
