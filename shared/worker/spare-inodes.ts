// Files and folders a finished scan's checkout leaves behind, emptied and kept for the next checkout on
// the same worker, instead of deleted and created again. Making a file costs the allocation of its inode,
// and on an ext4 disk without a journal (this machine's) the allocator checks every inode freed in the last
// seconds before it takes one: right after a scan's cleanup freed 14k of them, creating the next 14k took
// 3–10 s of kernel time, against 0.4 s to move spare ones into place and write them. Each thread keeps its
// own spares; nothing is in one when it waits (truncated to zero bytes before it is kept).
import {
  closeSync,
  constants,
  fchmodSync,
  ftruncateSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { creatingWriter, type TreeWriter } from '../git/checkout.js'

/** What a writer made under its folder, in the order made (a folder before what it holds). */
export interface Placed {
  files: string[]
  folders: string[]
}

export interface SpareLimits {
  files: number
  folders: number
}

/** A checkout's files at most (checkout.ts), and the folders such a tree spreads over. */
export const defaultSpareLimits: SpareLimits = { files: 200_000, folders: 50_000 }

export class SpareInodes {
  /** Names of spare empty files and folders under `root`. */
  private readonly files: string[] = []
  private readonly folders: string[] = []
  private named = 0
  private ready = false

  constructor(
    readonly root: string,
    readonly limits: SpareLimits = defaultSpareLimits,
  ) {}

  get counts() {
    return { files: this.files.length, folders: this.folders.length }
  }

  /**
   * A writer for a checkout into `dir` that takes spare files and folders before it creates any, and
   * lists in `placed` what it made (for `giveBack`).
   */
  writer(dir: string, placed: Placed): TreeWriter {
    const create = creatingWriter(dir)
    return {
      file: (path, content, executable) => {
        const target = join(dir, path)
        if (!this.take(this.files, (spare) => linkSync(spare, target), unlinkSync)) {
          create.file(path, content, executable)
          placed.files.push(path)
          return
        }
        placed.files.push(path)
        const fd = openSync(target, constants.O_WRONLY | constants.O_NOFOLLOW)
        try {
          for (let at = 0; at < content.length; ) at += writeSync(fd, content, at)
          if (executable) fchmodSync(fd, 0o755)
        } finally {
          closeSync(fd)
        }
      },
      folder: (path) => {
        const target = join(dir, path)
        // A rename would replace an empty folder there, where mkdir fails.
        if (lstatSync(target, { throwIfNoEntry: false }))
          throw Object.assign(new Error(`EEXIST: ${target}`), { code: 'EEXIST' })
        if (!this.take(this.folders, (spare) => renameSync(spare, target))) create.folder(path)
        placed.folders.push(path)
      },
    }
  }

  /**
   * Moves a spare into place (`move`, then `after` on the spare's old name); false when there is none.
   * A spare gone from the disk is forgotten; any other failure leaves it spare and is thrown.
   */
  private take(spares: string[], move: (spare: string) => void, after?: (spare: string) => void): boolean {
    for (let name = spares.pop(); name !== undefined; name = spares.pop()) {
      const spare = join(this.root, name)
      try {
        move(spare)
      } catch (error) {
        // Forgotten only when it is the spare that is missing, not the place it was to go.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !lstatSync(spare, { throwIfNoEntry: false })) continue
        spares.push(name)
        throw error
      }
      after?.(spare)
      return true
    }
    return false
  }

  /**
   * Keeps what a writer placed under `dir` as spares, up to the limits: each file emptied, each folder
   * once empty. What is not kept stays where it is for the scratch's removal.
   */
  giveBack(dir: string, placed: Placed): void {
    this.prepare()
    for (const path of placed.files) {
      if (this.files.length >= this.limits.files) break
      const file = join(dir, path)
      try {
        const fd = openSync(file, constants.O_WRONLY | constants.O_NOFOLLOW)
        try {
          ftruncateSync(fd, 0)
          fchmodSync(fd, 0o644)
        } finally {
          closeSync(fd)
        }
        const name = this.nextName()
        renameSync(file, join(this.root, name))
        this.files.push(name)
      } catch {
        // Gone or not a plain file any more: the scratch's removal deals with it.
      }
    }
    // The deepest first, so each is empty by the time it is reached; one holding anything else is left.
    for (const path of placed.folders.toReversed()) {
      if (this.folders.length >= this.limits.folders) break
      const folder = join(dir, path)
      try {
        if (readdirSync(folder).length > 0) continue
        const name = this.nextName()
        renameSync(folder, join(this.root, name))
        this.folders.push(name)
      } catch {
        // As above.
      }
    }
    placed.files.length = 0
    placed.folders.length = 0
  }

  /**
   * The folder of spares, made afresh on first use (a process that had this name before left its own);
   * what processes that are gone left beside it is removed then.
   */
  private prepare(): void {
    if (this.ready) return
    removeSparesOfEndedProcesses(dirname(this.root))
    rmSync(this.root, { recursive: true, force: true })
    mkdirSync(this.root, { recursive: true })
    this.ready = true
  }

  private nextName(): string {
    return `${this.named++}`
  }
}

const sparesFolder = /^vega-spares-(\d+)-\d+$/

/**
 * Removes the spares that processes no longer running left under `dir` (a process keeps its own until it
 * ends, and nothing removes them then: a Lambda's `/tmp` goes with its environment, a local one stays).
 */
export function removeSparesOfEndedProcesses(dir = tmpdir()): void {
  for (const name of readdirSync(dir)) {
    const pid = Number(sparesFolder.exec(name)?.[1])
    if (pid && pid !== process.pid && !isRunning(pid)) rmSync(join(dir, name), { recursive: true, force: true })
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

let spares: SpareInodes | undefined

/** This thread's spares (each worker thread of the local stack has its own; a Lambda has one). */
export function spareInodes(): SpareInodes {
  spares ??= new SpareInodes(join(tmpdir(), `vega-spares-${process.pid}-${threadId}`))
  return spares
}
