// pom.xml: declared dependencies (and dependencyManagement) with their versions, `${property}` resolved from
// <properties> and the project's own coordinates. Versions inherited from a parent or a BOM are not resolved.
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { type Dependency, lineFinder, type ParseResult } from '../types.js'

interface PomDependency {
  groupId?: unknown
  artifactId?: unknown
  version?: unknown
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]
const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '')

export function parsePom(source: string, path: string): ParseResult {
  // The parser is lenient (an unclosed tag parses); a pom that is not well-formed XML is a broken file.
  const valid = XMLValidator.validate(source)
  if (valid !== true) throw new Error(`line ${valid.err.line}: ${valid.err.msg}`)
  const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: false })
  const pom = parser.parse(source) as { project?: Record<string, unknown> }
  const project = pom.project
  if (!project || typeof project !== 'object') throw new Error('no <project> element')
  const parent = (project.parent ?? {}) as Record<string, unknown>
  const properties = new Map<string, string>()
  for (const [key, value] of Object.entries((project.properties ?? {}) as Record<string, unknown>))
    properties.set(key, text(value))
  const projectVersion = text(project.version) || text(parent.version)
  properties.set('project.version', projectVersion)
  properties.set('pom.version', projectVersion)
  properties.set('version', projectVersion)
  properties.set('project.parent.version', text(parent.version))
  properties.set('project.groupId', text(project.groupId) || text(parent.groupId))

  // Properties may refer to properties; a few rounds settle any real chain, and a cycle stays unresolved.
  const resolve = (value: string) => {
    let current = value
    for (let round = 0; round < 5 && current.includes('${'); round++)
      current = current.replace(/\$\{([^}]+)\}/g, (whole, name: string) => properties.get(name) ?? whole)
    return current
  }

  const find = lineFinder(source)
  const notes: string[] = []
  const dependencies: Dependency[] = []
  const declared = [
    ...asList(((project.dependencies ?? {}) as { dependency?: PomDependency | PomDependency[] }).dependency),
    ...asList(
      (((project.dependencyManagement ?? {}) as { dependencies?: unknown }).dependencies ?? {}) as {
        dependency?: PomDependency | PomDependency[]
      },
    ).flatMap((dependencies) => asList(dependencies.dependency)),
  ]
  let unresolved = 0
  for (const dependency of declared) {
    const groupId = resolve(text(dependency.groupId))
    const artifactId = resolve(text(dependency.artifactId))
    const version = resolve(text(dependency.version))
    if (!groupId || !artifactId) continue
    // No version (managed by a parent or BOM), an unknown property, or a range `[1.0,2.0)`: no one version to check.
    if (!version || version.includes('${') || /^[[(]/.test(version)) {
      unresolved++
      continue
    }
    dependencies.push({
      ecosystem: 'Maven',
      name: `${groupId}:${artifactId}`,
      version,
      path,
      line: find(`<artifactId>${text(dependency.artifactId)}</artifactId>`),
      direct: true,
    })
  }
  if (unresolved > 0)
    notes.push(`${path}: ${unresolved} dependency version(s) come from a parent, a BOM, an unknown property or a range`)
  return { dependencies, notes }
}
