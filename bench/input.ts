// npm run bench -- input: a full scan's input, as the worker reads it (index, checkout of the files the code
// engine parses, history walk), over the ~100 MB benchmark repository, three scans in a row on one worker:
// with the spare inodes a finished scan leaves (the worker's way), then creating every file and removing it
// after each scan (the way before), each in a child process of its own, alternating, twice. The second and
// third scans of a worker are the ones the spares speed up: the first pays for the files it creates, and on a
// disk whose inode allocator checks every recently freed inode (ext4 without a journal, as here) a scan that
// follows another's cleanup pays most.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { readBundleFile } from '../shared/git/bundle.js'
import { prepareSource } from '../shared/scanning/source.js'
import { Scratch } from '../shared/worker/scratch.js'
import { buildRepo, hundredMegabytes } from './git-unpack.js'

const scans = 3
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!

/** The child: `scans` inputs read in a row, as one worker reads them; prints their times in ms as JSON. */
async function child(bundle: string, spares: boolean): Promise<void> {
  const times: number[] = []
  for (let scan = 0; scan < scans; scan++) {
    const scratch = new Scratch(`bench-input-${scan}`)
    const started = performance.now()
    const { pack, refs } = readBundleFile(bundle)
    await prepareSource(pack, refs, 'main', scratch.tree, Number.POSITIVE_INFINITY, {
      writer: spares ? scratch.writer : undefined,
    })
    times.push(performance.now() - started)
    pack.close()
    scratch.dispose()
  }
  console.log(JSON.stringify(times))
}

export async function input(): Promise<void> {
  console.log(`\n## 12. a full scan's input, ${scans} scans in a row on one worker: spare inodes or created files`)
  const repo = await buildRepo(resolve('node_modules'), { ...hundredMegabytes, copies: 1 })
  const bundle = join(tmpdir(), `vega-bench-input-${process.pid}.bundle`)
  execFileSync('git', ['bundle', 'create', '-q', bundle, '--all'], { cwd: repo })
  rmSync(repo, { recursive: true, force: true })
  const runs: Record<'spares' | 'created', number[][]> = { spares: [], created: [] }
  try {
    for (let round = 0; round < 2; round++)
      for (const mode of ['spares', 'created'] as const) {
        const out = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', bundle, mode], {
          stdio: ['ignore', 'pipe', 'inherit'],
        })
        const times = JSON.parse(out.toString()) as number[]
        runs[mode].push(times)
        console.log(`${mode.padEnd(8)} ${times.map(seconds).join(', ')}`)
      }
  } finally {
    rmSync(bundle, { force: true })
  }
  const later = (mode: keyof typeof runs) => median(runs[mode].flatMap((times) => times.slice(1)))
  const first = (mode: keyof typeof runs) => runs[mode].map((times) => seconds(times[0]!)).join(', ')
  console.log(
    `a warm worker's next scans (median): spares ${seconds(later('spares'))}, created ${seconds(later('created'))} ` +
      `(${(later('created') / later('spares')).toFixed(2)}×); first scans: spares ${first('spares')}, created ` +
      `${first('created')} (the first of a process follows the other's cleanup)`,
  )
}

if (import.meta.main && process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4] === 'spares')
