// npm run bench -- cores: what a second core buys. All engines at once over a tree (the project's
// node_modules by default; BENCH_TREE=dir for another), as the worker runs them, in a child process pinned
// to one core (`taskset -c 0`: ast-grep's threads share the core with the secrets engine's thread) and in
// one free to use both, alternating over three rounds. The ratio is the speed-up from threads
// on this machine; with Lambda's 1 vCPU per 1,769 MB it is the curve the worker's memory is chosen from
// (infra/aws/constructs/worker.ts).
import { execFileSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import type { Engine } from '../shared/scanning/engine.js'
import { codeEngine } from '../shared/scanning/engines/code/index.js'
import { dependenciesEngine, memoryAdvisorySource, OsvRecord } from '../shared/scanning/engines/dependencies/index.js'
import { readOsvFiles, recordsOf } from '../shared/scanning/engines/dependencies/osv-files.js'
import { secretsEngine } from '../shared/scanning/engines/secrets/index.js'
import { prepareFolderSource } from '../shared/scanning/source.js'

interface Run {
  seconds: number
  cpuSeconds: number
  peakMb: number
  threads: number
}

/** The child: every engine at once over the tree, timed, with the CPU it used and its peak memory. */
async function child(root: string): Promise<Run> {
  const records: OsvRecord[] = []
  for await (const item of readOsvFiles(join(import.meta.dirname, '..', 'test/fixtures/osv')))
    if ('text' in item) for (const raw of recordsOf(item)) records.push(OsvRecord.parse(raw))
  const engines: Engine[] = [secretsEngine, codeEngine, dependenciesEngine(memoryAdvisorySource(records))]
  const source = prepareFolderSource(root, Number.POSITIVE_INFINITY)
  const { availableParallelism } = await import('node:os')
  const cpu = process.cpuUsage()
  const started = performance.now()
  await Promise.all(engines.map((engine) => engine.run(source)))
  const used = process.cpuUsage(cpu)
  return {
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakMb: (process.resourceUsage().maxRSS * 1024) / 1024 ** 2,
    threads: availableParallelism(),
  }
}

export async function cores() {
  const root = resolve(process.env.BENCH_TREE ?? join(import.meta.dirname, '..', 'node_modules'))
  console.log(`\n## 11. one core against two: all engines at once over ${root}`)
  const run = (pinned: boolean): Run => {
    const args = ['--import', 'tsx', import.meta.filename, '--child', root]
    const output = pinned
      ? execFileSync('taskset', ['-c', '0', process.execPath, ...args])
      : execFileSync(process.execPath, args)
    return JSON.parse(output.toString().trim().split('\n').at(-1)!) as Run
  }
  const one: Run[] = []
  const two: Run[] = []
  for (let round = 0; round < 3; round++) {
    one.push(run(true))
    two.push(run(false))
  }
  const median = (runs: Run[]) => [...runs].sort((a, b) => a.seconds - b.seconds)[1]!
  const [a, b] = [median(one), median(two)]
  const line = (label: string, r: Run) =>
    `${label}: ${r.seconds.toFixed(1)} s (CPU ${r.cpuSeconds.toFixed(1)} s, ${r.threads} core(s) seen), peak ${r.peakMb.toFixed(0)} MB`
  console.log(line('1 core ', a))
  console.log(line('2 cores', b))
  console.log(`speed-up from the second core: ${(a.seconds / b.seconds).toFixed(2)}× (medians of 3, alternating)`)
}

if (import.meta.main && process.argv[2] === '--child') console.log(JSON.stringify(await child(process.argv[3]!)))
