// A scan's folder on the worker's disk: the checkout, the input as downloaded, the packs it joins. Files
// are opened through it, so everything is closed and removed when the scan ends, however it ends; the
// checkout's files and folders are kept empty for the next scan's (spare-inodes.ts).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TreeWriter } from '../git/checkout.js'
import type { FileBytes } from '../git/pack-bytes.js'
import { type Placed, spareInodes } from './spare-inodes.js'

export class Scratch {
  readonly root: string
  /** Where the checkout writes the head's files. */
  readonly tree: string
  /** Writes the checkout into `tree`, with spare files and folders first. */
  readonly writer: TreeWriter
  readonly #placed: Placed = { files: [], folders: [] }
  readonly #opened: FileBytes[] = []

  constructor(scanId: string) {
    this.root = mkdtempSync(join(tmpdir(), `vega-${scanId}-`))
    this.tree = join(this.root, 'tree')
    mkdirSync(this.tree)
    this.writer = spareInodes().writer(this.tree, this.#placed)
  }

  path(name: string): string {
    return join(this.root, name)
  }

  /** A file read during the scan, closed with the scratch. */
  opened<T extends FileBytes>(file: T): T {
    this.#opened.push(file)
    return file
  }

  /** An empty checkout folder again: a first attempt may have written part of the tree. */
  clearTree(): void {
    spareInodes().giveBack(this.tree, this.#placed)
    rmSync(this.tree, { recursive: true, force: true })
    mkdirSync(this.tree)
  }

  dispose(): void {
    for (const file of this.#opened.splice(0)) file.close()
    spareInodes().giveBack(this.tree, this.#placed)
    rmSync(this.root, { recursive: true, force: true })
  }
}
