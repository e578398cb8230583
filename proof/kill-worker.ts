// Proof 1: the scan worker killed mid-scan, again and again. Each scan of a real repository is pushed, and
// once it runs its worker thread is stopped at once (Worker.terminate: no cleanup, no finally, as SIGKILL
// stops a Lambda container). Nothing else helps it: the scan must come back by the heartbeat and the
// sweep alone, end `succeeded`, record each finding once and be metered once.
import {
  type Api,
  allItems,
  gitPush,
  newRepository,
  percentile,
  realRepository,
  say,
  scanOf,
  signIn,
  sleep,
  startInProcess,
} from './support.js'

export interface Row {
  check: string
  measured: string
  holds: boolean
}

const terminal = ['succeeded', 'failed', 'cancelled']

async function untilStatus(api: Api, repositoryId: string, scanId: string, wanted: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const scan = await scanOf(api, repositoryId, scanId)
    if (wanted.includes(scan.status) || Date.now() > deadline) return scan
    await sleep(50)
  }
}

export async function killWorkerProof(kills: number): Promise<Row[]> {
  const local = await startInProcess()
  try {
    const api = await signIn(local.stack.url)
    const repo = await realRepository()
    say('kill-worker: a reference scan of the repository, with nothing killed')
    const reference = await newRepository(api, 'reference')
    const referenceScan = await gitPush(api, reference, repo)
    if (!referenceScan) throw new Error('the reference push failed')
    const done = await untilStatus(api, reference, referenceScan, terminal, 300_000)
    if (done.status !== 'succeeded') throw new Error(`the reference scan ${done.status}`)
    const expected = (await allItems(api, `/v1/repositories/${reference}/findings`)).length

    // One kill at a time, each scan left to come back before the next push: locally one worker thread
    // runs one scan at a time (Lambda would run the recoveries side by side), so overlapping kills would
    // measure the local queue, not the recovery.
    const runs: { repositoryId: string; scanId: string; killedAt: number }[] = []
    const recoveries: number[] = []
    const backRunning: number[] = []
    let finishedFirst = 0
    let succeeded = 0
    while (runs.length < kills) {
      const repositoryId = await newRepository(api, `kill-${runs.length}`)
      const scanId = await gitPush(api, repositoryId, repo)
      if (!scanId) throw new Error('a push failed')
      const running = await untilStatus(api, repositoryId, scanId, ['running', ...terminal], 120_000)
      // Somewhere in the scan: checkout, the engines or recording.
      await sleep(100 + Math.random() * 900)
      if (running.status !== 'running' || (await scanOf(api, repositoryId, scanId)).status !== 'running') {
        finishedFirst++
        continue
      }
      await local.killWorker()
      const killedAt = Date.now()
      runs.push({ repositoryId, scanId, killedAt })
      // Back when a new run of the scan records its start (started_at moves past the kill).
      let back: number | undefined
      for (const deadline = Date.now() + 600_000; Date.now() < deadline; await sleep(200)) {
        const scan = (await api.call('GET', `/v1/repositories/${repositoryId}/scans/${scanId}`)).json
        if (back === undefined && scan.started_at && Date.parse(scan.started_at) > killedAt)
          back = Date.now() - killedAt
        if (terminal.includes(scan.status)) {
          if (scan.status === 'succeeded') succeeded++
          recoveries.push((Date.parse(scan.finished_at ?? '') || Date.now()) - killedAt)
          break
        }
      }
      if (back !== undefined) backRunning.push(back)
      say(
        `kill-worker: kill ${runs.length}/${kills}: running again after ${((back ?? Number.NaN) / 1000).toFixed(1)} s, done after ${((recoveries.at(-1) ?? Number.NaN) / 1000).toFixed(1)} s`,
      )
    }

    let duplicated = 0
    let meteredOnce = 0
    for (const run of runs) {
      const findings = await allItems(api, `/v1/repositories/${run.repositoryId}/findings`)
      const fingerprints = new Set(findings.map((finding) => finding.fingerprint))
      if (findings.length !== expected || fingerprints.size !== findings.length) duplicated++
      const usage = await allItems(api, `/v1/billing/usage?repository_id=${run.repositoryId}`)
      if (usage.filter((line) => line.scan_id === run.scanId).length === 1) meteredOnce++
    }
    const within90 = recoveries.filter((ms) => ms <= 90_000).length
    return [
      {
        check: `worker killed mid-scan (${kills} kills; ${finishedFirst} scans finished before their kill came)`,
        measured: `${succeeded}/${runs.length} succeeded`,
        holds: succeeded === runs.length,
      },
      {
        check: 'kill → succeeded, within 90 s',
        measured: `${within90}/${runs.length}; p50 ${(percentile(recoveries, 50) / 1000).toFixed(1)} s, max ${(Math.max(...recoveries) / 1000).toFixed(1)} s (running again: p50 ${(percentile(backRunning, 50) / 1000).toFixed(1)} s, max ${(Math.max(...backRunning) / 1000).toFixed(1)} s)`,
        holds: within90 === runs.length,
      },
      {
        check: `findings recorded once (the reference scan has ${expected})`,
        measured: `${runs.length - duplicated}/${runs.length} scans with exactly those`,
        holds: duplicated === 0,
      },
      { check: 'usage metered once', measured: `${meteredOnce}/${runs.length}`, holds: meteredOnce === runs.length },
    ]
  } finally {
    await local.stop()
  }
}
