// The one interface every scanning engine implements (secrets, code, dependencies: issue #7). Engines
// are pure: they read the checked-out tree and the history's blobs, and return what they found.
import type { HistoryWalk } from '../git/checkout.js'

export interface ScanSource {
  /** The pushed head, checked out; symlinks and submodules are listed, never materialised. */
  root: string
  files: { path: string; size: number }[]
  /** Every blob of the pushed history once, with the commits and paths where it appears. */
  history: HistoryWalk
  readBlob(oid: string): Buffer
  /** Engines stop at this instant (epoch ms); the scan fails with time_budget past it. */
  deadline: number
}

export interface EngineFinding {
  rule_id: string
  severity: 'critical' | 'high' | 'medium' | 'low' | 'info'
  title: string
  message: string
  path: string
  start_line: number
  end_line: number
  snippet: string
}

export interface Engine {
  name: string
  run(source: ScanSource): Promise<EngineFinding[]>
}
