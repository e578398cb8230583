import { describe, expect, it } from 'vitest'
import { handler as projects } from '../../functions/projects/handler.js'
import { createProject } from '../../shared/data/projects.js'
import { call, newOwner } from '../support/identity.js'

describe('cursor pages', () => {
  it('return 120 projects paged by 50 each exactly once, in order, while more are created', async () => {
    const owner = await newOwner()
    const made: string[] = []
    for (let i = 0; i < 120; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          createProject(owner.workspaceId, { name: `p${String(i + j).padStart(3, '0')}` }),
        ),
      )
      made.push(...batch.map((project) => project.id))
    }

    const seen: string[] = []
    const sizes: number[] = []
    let cursor: string | null = null
    let extra = 0
    do {
      const query: string = cursor ? `limit=50&cursor=${encodeURIComponent(cursor)}` : 'limit=50'
      const [page] = await Promise.all([
        call(projects, 'GET', '/v1/projects', { as: owner.token, query }),
        createProject(owner.workspaceId, { name: `late${extra++}` }),
      ])
      expect(page.status).toBe(200)
      sizes.push(page.json.items.length)
      seen.push(...page.json.items.map((project: { id: string }) => project.id))
      cursor = page.json.next_cursor
    } while (cursor)

    const original = seen.filter((id) => made.includes(id))
    expect(original).toEqual([...made].sort())
    expect(new Set(seen).size).toBe(seen.length)
    expect(sizes.slice(0, 2)).toEqual([50, 50])
  })

  it('answers 400 to a malformed cursor, and one made for another query', async () => {
    const owner = await newOwner()
    for (let i = 0; i < 3; i++) await createProject(owner.workspaceId, { name: `q${i}` })
    const first = await call(projects, 'GET', '/v1/projects', { as: owner.token, query: 'limit=1' })

    const malformed = await call(projects, 'GET', '/v1/projects', { as: owner.token, query: 'cursor=%%%' })
    const otherQuery = await call(projects, 'GET', '/v1/projects', {
      as: owner.token,
      query: `workspace_id=${owner.workspaceId}&cursor=${encodeURIComponent(first.json.next_cursor)}`,
    })
    const tooBig = await call(projects, 'GET', '/v1/projects', { as: owner.token, query: 'limit=201' })

    expect(malformed.status).toBe(400)
    expect(otherQuery.status).toBe(400)
    expect(tooBig.status).toBe(422)
  })
})
