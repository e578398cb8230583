// Starts the local stack, prints its child pids, then dies of an uncaught error (for local-stack.test.ts).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStack } from '../../infra/local/stack.js'

const dataDir = mkdtempSync(join(tmpdir(), 'vega-crash-'))
// The emulators' data folder is named for the test to remove: nothing here outlives the crash to do it.
console.log(`data ${dataDir}`)
const stack = await startStack({ dataDir, port: 0 })
console.log(`pids ${stack.pids.join(' ')}`)
throw new Error('the process dies without stopping the stack')
