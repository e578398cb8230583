import { describe, expect, it } from 'vitest'
import { refNameProblem } from '../../shared/git/ref-name.js'

describe("ref names, by git's own rules", () => {
  const written = ['refs/heads/main', 'refs/heads/feature/x-1', 'refs/tags/v1.2.3', 'refs/heads/ünï', 'refs/heads/a@b']
  it.each(written)('takes %s, a name git writes', (ref) => {
    expect(refNameProblem(ref)).toBeUndefined()
  })

  it('refuses what git check-ref-format refuses, saying why', () => {
    const cases: [string, RegExp][] = [
      ['refs/heads/../../x', /\.\./],
      ['refs/heads/.hidden', /starts with \./],
      ['refs/heads/a.lock', /\.lock/],
      ['refs/heads/a//b', /empty component/],
      ['refs/heads/a/', /ends with/],
      ['refs/heads/a.', /ends with/],
      ['refs/heads/a@{1}', /@\{/],
      ['refs/heads/a b', /space/],
      ['refs/heads/a~1', /~/],
      ['refs/heads/a:b', /:/],
      ['refs/heads/a\u0001', /control/],
      ['refs/heads/a\\b', /\\/],
      ['heads/main', /refs\//],
      [`refs/heads/${'x'.repeat(1100)}`, /longer/],
    ]
    for (const [ref, why] of cases) expect(refNameProblem(ref), ref).toMatch(why)
  })
})
