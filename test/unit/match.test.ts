import { describe, expect, it } from 'vitest'
import { ApiError } from '../../shared/http/errors.js'
import { routeTable } from '../../shared/routes/index.js'
import { createMatcher } from '../../shared/routes/match.js'

const resolve = createMatcher(routeTable)

describe('route matching', () => {
  it('prefers a literal segment to a {param} segment, as API Gateway does', () => {
    const revoke = resolve('POST', '/v1/api-keys/revoke')

    expect(revoke).toMatchObject({ kind: 'route', routeId: 'revokeApiKey', params: {} })
  })

  it('fills path parameters from {param} segments', () => {
    const scan = resolve('POST', '/v1/repositories/repo_1/scans/scan_2/cancel')

    expect(scan).toMatchObject({ kind: 'route', routeId: 'cancelScan', params: { id: 'repo_1', scanId: 'scan_2' } })
  })

  it('falls back to the {param} branch when the literal branch leads nowhere', () => {
    const key = resolve('DELETE', '/v1/api-keys/key_123')

    expect(key).toMatchObject({ kind: 'route', routeId: 'deleteApiKey', params: { id: 'key_123' } })
  })

  it('reports the allowed methods of a known path', () => {
    const project = resolve('POST', '/v1/projects/prj_1')

    expect(project).toMatchObject({ kind: 'method_not_allowed', resource: '/v1/projects/{id}' })
    expect(project.kind === 'method_not_allowed' && project.allow.sort()).toEqual(['DELETE', 'GET', 'PATCH', 'PUT'])
  })

  it('knows nothing of paths outside the table, trailing slashes or empty segments', () => {
    for (const path of ['/v1/nope', '/v1/projects/', '/v1//projects', '/projects', '/v1/projects/a/b/c/d/e']) {
      expect(resolve('GET', path).kind, path).toBe('not_found')
    }
  })

  it('decodes percent-encoded parameters and refuses broken encoding with 400', () => {
    expect(resolve('GET', '/v1/docs/swagger%2Dui.css')).toMatchObject({ params: { asset: 'swagger-ui.css' } })

    expect(() => resolve('GET', '/v1/docs/%E0%A4%A')).toThrow(ApiError)
  })
})
