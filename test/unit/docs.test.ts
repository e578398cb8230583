import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { errorCatalogueMarkdown } from '../../shared/http/catalogue.js'
import { buildOpenApi } from '../../shared/openapi/document.js'

describe('generated docs', () => {
  it('docs/errors.md is the error catalogue of the code (run npm run docs after changing it)', () => {
    expect(readFileSync('docs/errors.md', 'utf8')).toBe(errorCatalogueMarkdown())
  })

  it('docs/openapi.json is the document the API serves (run npm run docs after changing routes)', () => {
    expect(JSON.parse(readFileSync('docs/openapi.json', 'utf8'))).toEqual(JSON.parse(JSON.stringify(buildOpenApi())))
  })
})
