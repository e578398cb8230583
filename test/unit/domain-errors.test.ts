// Errors below HTTP speak the domain; shared/http maps them to the contract's codes in one place.
import { describe, expect, it } from 'vitest'
import { conflicting, expired, hasChildren, nameTaken, notFound } from '../../shared/errors.js'
import { toApiError } from '../../shared/http/envelope.js'

describe('domain errors through the one mapping', () => {
  it('become the envelope codes and statuses the contract names', () => {
    const cases = [
      [notFound('Project', 'prj_1'), 'not_found', 404],
      [nameTaken('A project named x already exists'), 'conflict', 409],
      [hasChildren('Project prj_1 still has repositories'), 'conflict', 409],
      [expired('Upload upl_1 expired'), 'gone', 410],
      [conflicting('The member changed meanwhile'), 'conflict', 409],
    ] as const
    for (const [error, code, status] of cases) {
      const mapped = toApiError(error)
      expect([mapped.code, mapped.status], error.message).toEqual([code, status])
    }
  })

  it('adds what only HTTP knows: the query parameter that deletes the children too, the field of a taken name', () => {
    expect(toApiError(hasChildren('Project prj_1 still has repositories')).message).toBe(
      'Project prj_1 still has repositories; delete with ?cascade=true to remove them too',
    )
    expect(toApiError(nameTaken('taken')).details).toEqual({ field: 'name' })
  })
})
