// The team's detection-quality kit (../shared/eval beside the repository, or $VEGA_EVAL_DIR): real trees
// labelled by others, and the scripts that score SARIF against the labels. Quality tests scan those trees
// with the engines in this process, write SARIF as `npm run scan` does, and read the kit's own scores.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fingerprintOf } from '../../shared/findings/fingerprint.js'
import { toSarif } from '../../shared/findings/sarif.js'
import type { Engine } from '../../shared/scanning/engine.js'
import { listFiles, prepareFolderSource } from '../../shared/scanning/source.js'

const candidates = [
  process.env.VEGA_EVAL_DIR,
  resolve(import.meta.dirname, '../../../shared/eval'),
  '/work/shared/eval',
]

/** The kit's folder; a missing kit fails the quality tests loudly rather than passing them unseen. */
export function evalDir(): string {
  const found = candidates.find((dir) => dir && existsSync(join(dir, 'score.mjs')))
  if (!found)
    throw new Error(
      `the detection-quality kit is missing: looked in ${candidates.filter(Boolean).join(', ')} (set VEGA_EVAL_DIR)`,
    )
  return found
}

const cache = resolve(process.env.VEGA_EVAL_CACHE ?? '/tmp/vega-eval-tests')

/** Unpacks an archive of the kit once into the cache and returns the folder it went to. */
export function unpacked(archive: 'trees.tgz' | 'benchmark-python.tgz'): string {
  const into = join(cache, archive.replace(/\.tgz$/, ''))
  if (!existsSync(join(into, '.unpacked'))) {
    mkdirSync(into, { recursive: true })
    execFileSync('tar', ['xzf', join(evalDir(), archive), '-C', into])
    writeFileSync(join(into, '.unpacked'), '')
  }
  return into
}

/** Scans a folder (every file, as an archive would give them) and writes the findings as SARIF. */
export async function scanToSarif(root: string, engines: Engine[], sarifPath: string): Promise<number> {
  const source = prepareFolderSource(root, Number.POSITIVE_INFINITY, listFiles(root))
  const findings = []
  for (const engine of engines) findings.push(...(await engine.run(source)))
  const sarif = toSarif(
    findings.map((finding) => ({ ...finding, fingerprint: fingerprintOf(finding) })),
    { version: 'test' },
  )
  writeFileSync(sarifPath, JSON.stringify(sarif))
  return findings.length
}

/** Runs one of the kit's scoring scripts and returns what it printed. */
export function score(script: 'score.mjs' | 'benchmark-python.mjs', args: string[]): string {
  return execFileSync(process.execPath, [join(evalDir(), script), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
}

/** A scratch folder under the cache for one test's SARIF files. */
export function scratch(name: string): string {
  const dir = join(cache, 'results', name)
  mkdirSync(dir, { recursive: true })
  return dir
}
