// The layer rules (shared/README.md, .dependency-cruiser.cjs) hold, and the check sees every source file:
// dependency-cruiser warns that it cannot use TypeScript 7, so prove swc parsed everything it should.
import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const roots = ['shared', 'functions', 'infra', 'bench', 'scripts', 'proof', 'cli']

interface CruiseResult {
  modules: { source: string; dependencies: { resolved: string }[] }[]
  summary: { violations: { rule: { name: string }; from: string; to: string }[] }
}

async function cruise(): Promise<CruiseResult> {
  const bin = join('node_modules', '.bin', 'depcruise')
  const { stdout } = await run(bin, ['--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...roots], {
    maxBuffer: 64 * 1024 * 1024,
  })
  return JSON.parse(stdout) as CruiseResult
}

async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.parentPath.includes('node_modules'))
    .map((entry) => join(entry.parentPath, entry.name))
}

describe('imports point down', () => {
  it('no layer, cycle or entry-point rule is broken, and every source file was read', async () => {
    const result = await cruise()
    expect(result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([])
    const cruised = new Set(result.modules.map((module) => module.source))
    const sources = (await Promise.all(roots.map(sourcesUnder))).flat()
    expect(sources.length).toBeGreaterThan(150)
    expect(sources.filter((source) => !cruised.has(source))).toEqual([])
    // Imports were read, not just files listed: the Lambda wrapper reaches auth and the dispatcher.
    const lambda = result.modules.find((module) => module.source === 'shared/api/lambda.ts')
    expect(lambda?.dependencies.map((dependency) => dependency.resolved)).toEqual(
      expect.arrayContaining(['shared/api/dispatcher.ts', 'shared/auth/authorize.ts']),
    )
    // A group's function bundles its own routes: nothing it is built from imports the whole table.
    const wholeTable = result.modules
      .filter((module) => /^(shared\/api|functions)\//.test(module.source))
      .filter((module) => module.dependencies.some((dependency) => dependency.resolved === 'shared/routes/index.ts'))
    expect(wholeTable.map((module) => module.source)).toEqual([])
  }, 60_000)
})
