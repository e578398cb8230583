import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDynamoDb, startS3, startSqs } from './infra/local/emulators.ts'
const log = (l: string) => console.log(l)
const dir = mkdtempSync(join(tmpdir(), 'emu-'))
for (const round of [1, 2]) {
  console.log('round', round, 'memory')
  for (const start of [startDynamoDb, startS3, startSqs]) { const e = await start({ log }); await e.stop() }
  console.log('round', round, 'durable')
  for (const [n, start] of [['d', startDynamoDb], ['s', startS3], ['q', startSqs]] as const) {
    const e = await start({ log, dataDir: join(dir, n) }); await e.stop()
  }
}
rmSync(dir, { recursive: true })
