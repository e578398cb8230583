// Gemfile.lock: the GEM section's specs at four spaces (`    rack (2.2.3)`, platform gems `nokogiri
// (1.13.10-x86_64-linux)`); GIT and PATH sections are not rubygems.org releases. DEPENDENCIES names the direct ones.
import type { Dependency, ParseResult } from '../types.js'

export function parseGemfileLock(text: string, path: string): ParseResult {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''))
  if (!lines.some((line) => line === 'GEM' || line === 'DEPENDENCIES'))
    throw new Error('no GEM or DEPENDENCIES section')
  const dependencies: Dependency[] = []
  const direct = new Set<string>()
  let section = ''
  let inSpecs = false
  for (const [index, line] of lines.entries()) {
    if (/^[A-Z]/.test(line)) {
      section = line.trim()
      inSpecs = false
      continue
    }
    if (section === 'DEPENDENCIES') {
      const name = /^ {2}([^\s!(]+)/.exec(line)?.[1]
      if (name) direct.add(name)
      continue
    }
    if (section !== 'GEM') continue
    if (/^ {2}specs:/.test(line)) {
      inSpecs = true
      continue
    }
    const spec = inSpecs ? /^ {4}([^\s(]+) \(([^)]+)\)$/.exec(line) : null
    if (!spec) continue
    // Gem versions never hold `-`; in a lockfile it separates the platform.
    const version = spec[2]!.split('-')[0]!
    dependencies.push({ ecosystem: 'RubyGems', name: spec[1]!, version, path, line: index + 1 })
  }
  for (const dependency of dependencies) dependency.direct = direct.has(dependency.name)
  return { dependencies, notes: [] }
}
