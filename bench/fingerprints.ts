// How stable are finding ids when code is reformatted? A real repository (real code from node_modules,
// a few hundred commits of edits), its head scanned by the engines; then every source file re-indented
// (2 → 4 spaces, tabs to spaces), trailing spaces added, CRLF line ends and 40 blank lines pushed on top,
// and scanned again. Goal: no fingerprint changes.
// Run: node --import tsx bench/fingerprints.ts
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fingerprintOf } from '../shared/findings/fingerprint.js'
import type { Engine, EngineFinding } from '../shared/scanning/engine.js'
import { codeEngine } from '../shared/scanning/engines/code/index.js'
import { createSecretsEngine } from '../shared/scanning/engines/secrets/index.js'
import { prepareFolderSource } from '../shared/scanning/source.js'
import { buildRepo } from './git-unpack.js'

const engines: Engine[] = [codeEngine, createSecretsEngine({ secretlint: 'off' })]

async function scan(root: string): Promise<EngineFinding[]> {
  const source = prepareFolderSource(root, Number.POSITIVE_INFINITY)
  const found: EngineFinding[] = []
  for (const engine of engines) found.push(...(await engine.run(source)))
  return found
}

/** Whitespace only: what a formatter's indentation and line-ending changes do to a file. */
function reformat(text: string): string {
  const lines = text.split('\n').map((line) => {
    const indent = /^[ \t]*/.exec(line)![0]
    const width = indent.replace(/\t/g, '  ').length
    return `${' '.repeat(width * 2)}${line.slice(indent.length)}${line.trim() ? '  ' : ''}`
  })
  return `${'\r\n'.repeat(40)}${lines.join('\r\n')}`
}

const t0 = performance.now()
const repo = await buildRepo(join(import.meta.dirname, '..', 'node_modules'), {
  files: 20_000,
  commits: 300,
  edits: 10,
  chunk: 3000,
})
const head = mkdtempSync(join(tmpdir(), 'vega-fp-head-'))
execFileSync('git', ['clone', '-q', repo, head])
rmSync(join(head, '.git'), { recursive: true, force: true })
const commits = execFileSync('git', ['rev-list', '--count', 'main'], { cwd: repo }).toString().trim()
console.log(`built a repository of ${commits} commits in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

const before = await scan(head)
const reformatted = mkdtempSync(join(tmpdir(), 'vega-fp-reformatted-'))
cpSync(head, reformatted, { recursive: true })
const sources = execFileSync('find', [reformatted, '-type', 'f', '(', '-name', '*.js', '-o', '-name', '*.ts', ')'], {
  maxBuffer: 256 * 1024 * 1024,
})
  .toString()
  .split('\n')
  .filter(Boolean)
for (const file of sources) writeFileSync(file, reformat(readFileSync(file, 'utf8')))
const after = await scan(reformatted)

const ids = (found: EngineFinding[]) => new Set(found.map((finding) => fingerprintOf(finding)))
const [was, now] = [ids(before), ids(after)]
const changed = [...was].filter((id) => !now.has(id)).length
const appeared = [...now].filter((id) => !was.has(id)).length
const moved = after.filter((finding) => finding.locations[0]!.start_line > 40).length
console.log(`reformatted ${sources.length} source files (indentation ×2, trailing spaces, CRLF, 40 blank lines on top)`)
console.log(`findings before: ${before.length} (${was.size} fingerprints); after: ${after.length} (${now.size})`)
console.log(`fingerprints changed: ${changed} lost, ${appeared} new — ${moved} findings now start below line 40`)
for (const dir of [repo, head, reformatted]) rmSync(dir, { recursive: true, force: true })
