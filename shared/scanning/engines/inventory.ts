// The trivial engine that proves the pipeline end to end until the real ones land (issue #7): it reads
// every checked-out file, so a scan really touches its input, and finds nothing.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Engine } from '../engine.js'

export const inventoryEngine: Engine = {
  name: 'inventory',
  async run(source) {
    for (const file of source.files) await readFile(join(source.root, file.path))
    return []
  },
}
