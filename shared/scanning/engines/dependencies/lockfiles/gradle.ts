// gradle.lockfile (Gradle 6+ dependency locking, one file per project): `group:artifact:version=conf1,conf2` per
// resolved module, `empty=…` for configurations that resolve nothing, `#` comments. It lists the whole resolved
// graph without saying which modules build.gradle declares, so `direct` stays unknown.
import type { Dependency, ParseResult } from '../types.js'

export function parseGradleLockfile(text: string, path: string): ParseResult {
  const dependencies: Dependency[] = []
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith('empty=')) continue
    const equals = line.indexOf('=')
    const coordinates = (equals === -1 ? line : line.slice(0, equals)).split(':')
    const [group, artifact, version] = coordinates
    if (coordinates.length !== 3 || !group || !artifact || !version)
      throw new Error(`line ${index + 1}: not "group:artifact:version=configurations"`)
    dependencies.push({ ecosystem: 'Maven', name: `${group}:${artifact}`, version, path, line: index + 1 })
  }
  return { dependencies, notes: [] }
}
