// #22 item 11: the document generated clients read. Spectral's `spectral:oas` ruleset and Redocly's
// recommended rules find no error and no warning in the served /v1/openapi.json (its CLI, on the same Node, from the devDependency); every
// operation has a description and a defined tag; response headers and SARIF media types are declared.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { handler as docs } from '../../functions/docs/handler.js'
import { routeTable } from '../../shared/routes/index.js'
import type { RouteSpec } from '../../shared/routes/route.js'
import { invoke } from '../support/invoke.js'

const served = async () => (await invoke(docs, { method: 'GET', path: '/v1/openapi.json' })).json
const specs = Object.entries(routeTable) as [string, RouteSpec][]
const operationOf = (document: any, spec: RouteSpec) => document.paths[spec.path][spec.method.toLowerCase()]

/** Runs a linter's `lint` (its CLI module, on this Node) over the served document, written to a scratch file. */
async function lintServed(cliModule: string, options: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'vega-openapi-lint-'))
  try {
    const file = join(dir, 'openapi.json')
    writeFileSync(file, JSON.stringify(await served()))
    const cli = createRequire(import.meta.url).resolve(cliModule)
    return spawnSync(process.execPath, [cli, 'lint', file, ...options], { encoding: 'utf8', timeout: 120_000 })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('the OpenAPI document', () => {
  it('passes Spectral (spectral:oas) with no error, warning, info or hint', async () => {
    const options = ['--ruleset', '.spectral.yaml', '--format', 'json', '--fail-severity', 'hint', '--quiet']
    const run = await lintServed('@stoplight/spectral-cli/dist/index.js', options)

    const problems = JSON.parse(run.stdout || '[]') as { code: string; message: string; path: string[] }[]
    expect(problems.map((problem) => `${problem.code} ${problem.path.join('.')}: ${problem.message}`)).toEqual([])
    expect(run.status).toBe(0)
  }, 120_000)

  it('passes Redocly (recommended, redocly.yaml) with no error and no warning', async () => {
    const run = await lintServed('@redocly/cli/bin/cli.js', ['--config', 'redocly.yaml', '--format', 'json'])

    const report = JSON.parse(run.stdout || '{}') as {
      totals?: { errors: number; warnings: number }
      problems?: { ruleId: string; message: string }[]
    }
    expect((report.problems ?? []).map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([])
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 })
  }, 120_000)

  it('lists every group in the top-level tags, and describes every operation', async () => {
    const document = await served()
    const tags = new Set(document.tags.map((tag: { name: string; description: string }) => tag.name))

    for (const [routeId, spec] of specs) {
      const operation = operationOf(document, spec)
      expect(tags.has(spec.group), routeId).toBe(true)
      expect(operation.description?.length, routeId).toBeGreaterThan(10)
    }
    for (const tag of document.tags) expect(tag.description).toBeTruthy()
  })

  it('declares the headers Vega answers: Location, Link, ETag, Idempotent-Replayed, rate limits, Retry-After', async () => {
    const document = await served()
    const headersOf = (response: { headers?: Record<string, { $ref: string }> }) =>
      Object.keys(response.headers ?? {}).sort()

    for (const [routeId, spec] of specs) {
      const responses = operationOf(document, spec).responses
      const success = responses[String(spec.status ?? 200)]
      const names = headersOf(success)
      expect(names, routeId).toContain('X-Request-Id')
      if (spec.location) expect(names, routeId).toContain('Location')
      if (spec.idempotent) expect(names, routeId).toContain('Idempotent-Replayed')
      if (spec.auth === 'user') expect(names, routeId).toContain('X-RateLimit-Remaining')
      if ((spec.query as { shape?: Record<string, unknown> } | undefined)?.shape?.cursor) {
        expect(names, routeId).toEqual(expect.arrayContaining(['Link', 'ETag', 'Cache-Control']))
        expect(responses['304'], routeId).toBeDefined()
      }
      if (responses['429']) expect(headersOf(responses['429']), routeId).toContain('Retry-After')
      if (responses['503']) expect(headersOf(responses['503']), routeId).toContain('Retry-After')
    }
    for (const [name, header] of Object.entries(document.components.headers) as [string, any][])
      expect(header.description, name).toBeTruthy()
  })

  it('declares application/sarif+json where SARIF is answered or accepted, and CSV on the summary', async () => {
    const document = await served()
    const exportSarif = operationOf(document, routeTable.getScanSarif as RouteSpec)
    const importSarif = operationOf(document, routeTable.importSarif as RouteSpec)
    const summary = operationOf(document, routeTable.getBillingSummary as RouteSpec)

    expect(Object.keys(exportSarif.responses['200'].content)).toEqual(['application/sarif+json'])
    expect(Object.keys(exportSarif.responses['200'].headers)).toEqual(
      expect.arrayContaining(['ETag', 'Cache-Control', 'Content-Disposition']),
    )
    expect(Object.keys(importSarif.requestBody.content).sort()).toEqual(['application/json', 'application/sarif+json'])
    expect(Object.keys(summary.responses['200'].content).sort()).toEqual(['application/json', 'text/csv'])
    expect(Object.keys(summary.responses['200'].headers)).toEqual(expect.arrayContaining(['ETag', 'Vega-Totals']))
  })
})
