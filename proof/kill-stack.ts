// Proof 2: the whole local stack (API, worker, emulators: one process group) killed with SIGKILL in the
// middle of a burst of pushes, then started again on the same data. Every push git reported as accepted
// must end in a finished scan, and everything written before the kill must still be there.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Row } from './kill-worker.js'
import {
  type Api,
  freePort,
  gitPush,
  newRepository,
  realRepository,
  say,
  scanOf,
  signIn,
  sleep,
  startChild,
} from './support.js'

const terminal = ['succeeded', 'failed', 'cancelled']

export async function killStackProof(pushes: number): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vega-proof-stack-'))
  const port = await freePort()
  const repo = await realRepository()
  let stack = await startChild(dataDir, port)
  try {
    let api: Api = await signIn(stack.url)
    // Written before the burst: these must all survive the kill.
    const repositories: string[] = []
    for (let i = 0; i < pushes; i++) repositories.push(await newRepository(api, `burst-${i}`))

    say(`kill-stack: ${pushes} pushes at once; the stack is killed once half of them are accepted`)
    const accepted: { repositoryId: string; scanId: string }[] = []
    let settled = 0
    const burst = repositories.map(async (repositoryId) => {
      const scanId = await gitPush(api, repositoryId, repo).catch(() => undefined)
      settled++
      if (scanId) accepted.push({ repositoryId, scanId })
    })
    while (accepted.length < pushes / 2 && settled < pushes) await sleep(20)
    stack.kill()
    const killedAt = Date.now()
    await Promise.all(burst)
    say(`kill-stack: killed with ${accepted.length} pushes accepted; starting again on the same data`)

    stack = await startChild(dataDir, port)
    const restartedIn = Date.now() - killedAt
    api = await signIn(stack.url)
    let kept = 0
    for (const id of repositories) if ((await api.call('GET', `/v1/repositories/${id}`)).status === 200) kept++
    const finishedIn: number[] = []
    let succeeded = 0
    const deadline = Date.now() + 15 * 60_000
    for (const push of accepted) {
      for (;;) {
        const scan = await scanOf(api, push.repositoryId, push.scanId)
        if (terminal.includes(scan.status)) {
          if (scan.status === 'succeeded') succeeded++
          finishedIn.push(Date.now() - killedAt)
          break
        }
        if (Date.now() > deadline) break
        await sleep(500)
      }
    }
    const lastS = (Math.max(0, ...finishedIn) / 1000).toFixed(0)
    return [
      {
        check: `stack killed during a burst of ${pushes} pushes (${accepted.length} accepted before the kill)`,
        measured: `${succeeded}/${accepted.length} accepted pushes ended in a succeeded scan; the last ${lastS} s after the kill (restart took ${(restartedIn / 1000).toFixed(0)} s)`,
        holds: succeeded === accepted.length && accepted.length > 0,
      },
      {
        check: 'nothing written before the kill is lost',
        measured: `${kept}/${repositories.length} repositories`,
        holds: kept === repositories.length,
      },
    ]
  } finally {
    await stack.stop()
  }
}
