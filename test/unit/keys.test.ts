import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : []
  })
}

describe('data keys', () => {
  it('are spelt only in shared/data/keys.ts', () => {
    const offenders = ['shared', 'functions', 'infra']
      .flatMap(sources)
      .filter((path) => path !== join('shared', 'data', 'keys.ts'))
      .filter((path) => /[`'"][A-Z_]{2,}#/.test(readFileSync(path, 'utf8')))

    expect(offenders).toEqual([])
  })

  it('are imported only by shared/data', () => {
    const importers = ['shared', 'functions', 'infra']
      .flatMap(sources)
      .filter((path) => !path.startsWith(join('shared', 'data')))
      .filter((path) => /from '[^']*data\/keys\.js'/.test(readFileSync(path, 'utf8')))

    expect(importers).toEqual([])
  })
})
