import { describe, expect, it } from 'vitest'
import { handler } from '../../functions/docs/handler.js'
import { errorCatalogue } from '../../shared/http/errors.js'
import { buildOpenApi } from '../../shared/openapi/document.js'
import { routeTable } from '../../shared/routes/index.js'
import type { RouteSpec } from '../../shared/routes/route.js'
import { invoke } from '../support/invoke.js'

const specs = Object.entries(routeTable) as [string, RouteSpec][]

describe('GET /v1/openapi.json', () => {
  it('is the document generated from the route table, as compact JSON', async () => {
    const answer = await invoke(handler, { method: 'GET', path: '/v1/openapi.json' })

    expect(answer.text === JSON.stringify(buildOpenApi())).toBe(true)
  })

  it('is OpenAPI 3.1 with every route of the table, under its operation id', async () => {
    const answer = await invoke(handler, { method: 'GET', path: '/v1/openapi.json' })

    expect(answer.status).toBe(200)
    expect(answer.json.openapi).toBe('3.1.0')
    const operations = Object.entries(
      answer.json.paths as Record<string, Record<string, { operationId: string }>>,
    ).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
    )
    expect(operations.sort()).toEqual(specs.map(([id, spec]) => `${spec.method} ${spec.path} ${id}`).sort())
  })

  it('answers every error of every route with the one envelope schema', async () => {
    const { json } = await invoke(handler, { method: 'GET', path: '/v1/openapi.json' })

    expect(json.components.schemas.Error.properties.error.properties.code.enum.sort()).toEqual(
      Object.keys(errorCatalogue).sort(),
    )
    for (const item of Object.values(
      json.paths as Record<string, Record<string, { responses: Record<string, any> }>>,
    )) {
      for (const operation of Object.values(item)) {
        const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400)
        expect(errors.map(([status]) => status)).toContain('500')
        for (const [, response] of errors) {
          expect(response.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' })
        }
      }
    }
  })

  it('documents path parameters, request bodies and deprecation from the table', async () => {
    const { json } = await invoke(handler, { method: 'GET', path: '/v1/openapi.json' })

    const cancel = json.paths['/v1/repositories/{id}/scans/{scanId}/cancel'].post
    expect(cancel.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual([
      'path:id',
      'path:scanId',
    ])
    expect(json.paths['/v1/projects'].post.requestBody.content['application/json'].schema).toBeDefined()
    expect(json.paths['/v1/sessions'].post.deprecated).toBe(true)
    expect(json.paths['/v1/git-uploads/{id}/repo.git/git-receive-pack'].post.security).toEqual([{ uploadToken: [] }])
  })
})

describe('GET /v1/docs', () => {
  it('serves the interactive reference, whose assets Vega serves itself', async () => {
    const page = await invoke(handler, { method: 'GET', path: '/v1/docs' })

    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    const assets = [...page.text.matchAll(/(?:src|href)="(docs\/[^"]+)"/g)].map((match) => match[1]!)
    expect(assets.length).toBeGreaterThanOrEqual(3)
    expect(page.text).not.toMatch(/https?:\/\//)
    for (const asset of assets) {
      const answer = await invoke(handler, { method: 'GET', path: `/v1/${asset}` })
      expect(answer.status, asset).toBe(200)
      expect(answer.bytes.length, asset).toBeGreaterThan(0)
    }
  })

  it('serves the Swagger UI bundle byte for byte', async () => {
    const answer = await invoke(handler, { method: 'GET', path: '/v1/docs/swagger-ui-bundle.js' })

    expect(answer.headers['content-type']).toContain('javascript')
    expect(answer.text).toContain('SwaggerUIBundle')
  })

  it('answers 404 to any name not on its list, including paths out of the folder', async () => {
    for (const asset of ['package.json', '..%2F..%2Fpackage.json', 'index.html', 'constructor', '__proto__']) {
      const answer = await invoke(handler, { method: 'GET', path: `/v1/docs/${asset}` })
      expect(answer.status, asset).toBe(404)
      expect(answer.json.error.code).toBe('not_found')
    }
  })
})
