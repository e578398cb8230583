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
import { join } from 'node:path'
import { creatingWriter, type TreeWriter } from '../git/checkout.js'
import { threadFolder } from './thread-folder.js'

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
  #root?: string

  /** `folder`: where the spares are kept (made afresh); by default this thread's under `vega-spares`. */
  constructor(
    readonly folder?: string,
    readonly limits: SpareLimits = defaultSpareLimits,
  ) {}

  /** The folder of spares, made at first use: a folder of the same name left by an earlier process goes. */
  get root(): string {
    if (!this.#root) {
      if (this.folder) {
        rmSync(this.folder, { recursive: true, force: true })
        mkdirSync(this.folder, { recursive: true })
      }
      this.#root = this.folder ?? threadFolder(sparesRoot)
    }
    return this.#root
  }

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
    const root = this.root
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
        renameSync(file, join(root, name))
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
        renameSync(folder, join(root, name))
        this.folders.push(name)
      } catch {
        // As above.
      }
    }
    placed.files.length = 0
    placed.folders.length = 0
  }

  private nextName(): string {
    return `${this.named++}`
  }
}

/** Where each thread keeps its spares, a folder of its own (thread-folder.ts). */
export const sparesRoot = join(tmpdir(), 'vega-spares')

let spares: SpareInodes | undefined

/** This thread's spares (each worker thread of the local stack has its own; a Lambda has one). */
export function spareInodes(): SpareInodes {
  spares ??= new SpareInodes()
  return spares
}
