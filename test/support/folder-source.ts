// A folder on disk as the engines read a scan of it: its files with their sizes, and no history.
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { ScanSource } from '../../shared/scanning/engine.js'

/** Every file under `root`, by its path from there (`/`-separated) with its size, sorted by path. */
export function filesUnder(root: string, dir = root): { path: string; size: number }[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory()
        ? filesUnder(root, path)
        : [{ path: relative(root, path).split('\\').join('/'), size: statSync(path).size }]
    })
    .sort((a, b) => a.path.localeCompare(b.path))
}

/** A scan of the folder: these files of it (every one unless told), sorted; no history; two minutes to run. */
export function folderSource(root: string, files = filesUnder(root)): ScanSource {
  return {
    root,
    files: [...files].sort((a, b) => a.path.localeCompare(b.path)),
    history: { commits: [], blobs: new Map() },
    readBlob: () => {
      throw new Error('a folder has no blobs')
    },
    deadline: Date.now() + 120_000,
  }
}
