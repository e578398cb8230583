import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { errorCatalogueMarkdown } from '../../shared/http/catalogue.js'
import { buildOpenApi } from '../../shared/openapi/document.js'

describe('generated docs', () => {
  it('docs/errors.md is the error catalogue of the code (run npm run docs after changing it)', () => {
    expect(readFileSync('docs/errors.md', 'utf8')).toBe(errorCatalogueMarkdown())
  })

  it('cli/api.d.ts, the types of the CLI client, has every operation of docs/openapi.json (npm run api-types)', () => {
    const types = readFileSync('cli/api.d.ts', 'utf8')
    const document = JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as {
      paths: Record<string, Record<string, { operationId?: string }>>
    }
    const missing = Object.entries(document.paths).flatMap(([path, operations]) => [
      ...(types.includes(`'${path}': {`) ? [] : [path]),
      ...Object.values(operations).flatMap((operation) =>
        operation.operationId && !types.includes(`  ${operation.operationId}: {`) ? [operation.operationId] : [],
      ),
    ])

    expect(missing).toEqual([])
  })

  it('docs/openapi.json is the document the API serves (run npm run docs after changing routes)', () => {
    expect(JSON.parse(readFileSync('docs/openapi.json', 'utf8'))).toEqual(JSON.parse(JSON.stringify(buildOpenApi())))
  })
})
