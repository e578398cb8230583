// What kind of material a path holds: one verdict for every engine (secrets and code alike).
import { describe, expect, it } from 'vitest'
import { contextOf, severityIn } from '../../shared/scanning/context.js'

describe('contextOf', () => {
  it('names vendored copies, in dependency folders and in a web root library folder', () => {
    for (const path of [
      'node_modules/left-pad/index.js',
      'app/vendor/jquery.js',
      'public/lib/chart/chart.js',
      'wwwroot/lib/bootstrap/dist/js/bootstrap.js',
      'static/js/plugins/select2.js',
    ])
      expect(contextOf(path), path).toBe('vendored')
  })

  it('leaves the product own code alone, a bare lib/ included', () => {
    for (const path of ['src/server.ts', 'lib/insecurity.ts', 'routes/login.ts', 'publication/lib.ts'])
      expect(contextOf(path), path).toBeUndefined()
  })

  it('tells tests, examples, docs and build material apart, and lowers severity one step there', () => {
    expect(contextOf('test/api.test.ts')).toBe('test')
    expect(contextOf('examples/basic/app.js')).toBe('example')
    expect(contextOf('docs/setup.md')).toBe('docs')
    expect(contextOf('.github/workflows/ci.yml')).toBe('build')
    expect(severityIn('test', 'critical')).toBe('high')
    expect(severityIn(undefined, 'critical')).toBe('critical')
  })
})
