// A folder of the worker's disk for this thread alone (`<root>/<pid>-<threadId>`), for what a warm worker
// keeps between scans: its kept packs (kept-cache.ts), its spare inodes (spare-inodes.ts). Lambda keeps /tmp
// for the execution environment; nothing removes a folder when its process ends, so the first use in a
// process removes the folders of processes that are gone.
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'

/**
 * This thread's folder under `root`, made afresh: one by the same name is an earlier load's (a runtime
 * restarted in the same environment), whose memory of it is gone. Folders of ended processes go too.
 */
export function threadFolder(root: string): string {
  const own = `${process.pid}-${threadId}`
  removeFoldersOfEndedProcesses(root)
  rmSync(join(root, own), { recursive: true, force: true })
  mkdirSync(join(root, own), { recursive: true })
  return join(root, own)
}

/** Removes the folders under `root` of processes no longer running (and anything not named for one). */
export function removeFoldersOfEndedProcesses(root: string): void {
  mkdirSync(root, { recursive: true })
  for (const name of readdirSync(root)) {
    const pid = Number(name.split('-')[0])
    if (!Number.isInteger(pid) || !isRunning(pid)) rmSync(join(root, name), { recursive: true, force: true })
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: running, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
