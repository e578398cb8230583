// A running scan shows it is alive from a thread of its own. The worker's main thread spends tens of
// seconds at a time in synchronous work on a large repository (indexing a pack, the checkout, the history
// walk: 38 s for the 1 GB benchmark on a loaded machine), and a timer on that thread would not fire: the
// sweep would take the scan for dead after 30 s of silence and the queue would hand its message to
// another worker. One thread per process serves every scan it runs (a Lambda runs one at a time).
// In a Lambda bundle the thread runs the bundle itself, as the secrets engine's readers do.
import { isMainThread, parentPort, type Worker, workerData } from 'node:worker_threads'
import { heartbeatScan } from '../data/scans.js'
import { extendVisibility } from '../queue/scans.js'
import { moduleThread } from '../threads.js'

const role = 'vega-keep-alive'

/** How often a running scan shows it is alive; the sweep calls a scan dead after 30 s of silence. */
export const heartbeatMs = 5_000

/** The queue message a scan came in, kept hidden from other workers while the scan runs. */
export interface HeldMessage {
  receiptHandle: string
  visibilityS: number
}

/** `start` and `stop` name one run (two shards of a scan may run in one process); `scan` the scan it beats for. */
type Command = { start: string; scan: string; message?: HeldMessage; everyMs: number } | { stop: string }
type Report = { cancelRequested: string }

if (!isMainThread && workerData?.role === role) {
  const timers = new Map<string, NodeJS.Timeout>()
  parentPort!.on('message', (command: Command) => {
    if ('stop' in command) {
      clearInterval(timers.get(command.stop))
      return timers.delete(command.stop)
    }
    const { start: run, scan, message, everyMs } = command
    const beat = () => {
      heartbeatScan(scan).then(
        (answer) => {
          if (answer.cancelRequested) parentPort!.postMessage({ cancelRequested: run } satisfies Report)
        },
        () => undefined,
      )
      if (message) extendVisibility(message.receiptHandle, message.visibilityS).catch(() => undefined)
    }
    timers.set(run, setInterval(beat, everyMs))
  })
}

let thread: Worker | undefined
/** Runs whose scan was asked to stop. */
const cancelled = new Set<string>()
let runs = 0

function keepAliveThread(): Worker {
  if (thread) return thread
  const started = moduleThread(import.meta.url, { role })
  started.on('message', (report: Report) => cancelled.add(report.cancelRequested))
  // A thread that dies is replaced at the next scan; meanwhile the queue and the sweep redo the scan.
  started.on('error', () => {
    if (thread === started) thread = undefined
  })
  // The thread never keeps a process alive that is otherwise done.
  started.unref()
  thread = started
  return started
}

/**
 * Beats for the scan until `stop`: every few seconds its heartbeat (which also reads whether a
 * cancellation was asked for) and its queue message's visibility. `requested` turns true once a
 * cancellation is seen; the main thread reads it whenever it is free to.
 */
export function keepAlive(scanId: string, message?: HeldMessage, everyMs = heartbeatMs) {
  const run = `${scanId}#${++runs}`
  const beats = keepAliveThread()
  beats.postMessage({ start: run, scan: scanId, message, everyMs } satisfies Command)
  return {
    get requested() {
      return cancelled.has(run)
    },
    stop() {
      beats.postMessage({ stop: run } satisfies Command)
      cancelled.delete(run)
    },
  }
}
