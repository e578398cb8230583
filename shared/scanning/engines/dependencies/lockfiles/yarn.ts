// yarn.lock: classic (v1, its own format) and berry (v2+, YAML), read by one line scanner: every top-level
// entry is a header line of descriptors followed by indented fields, and only `version` and `resolution` matter.
import type { Dependency, ParseResult } from '../types.js'
import { waysIn } from './graph.js'

/** `lodash@^4.17.0`, `@babel/core@npm:^7.0.0`, `alias@npm:real@^1.0.0` → the installed package's name. */
function nameOfDescriptor(descriptor: string): string | undefined {
  const at = descriptor.indexOf('@', 1)
  if (at === -1) return undefined
  const name = descriptor.slice(0, at)
  const range = descriptor.slice(at + 1)
  if (range.startsWith('npm:')) {
    const target = range.slice(4)
    const targetAt = target.indexOf('@', 1)
    // `npm:^1.0.0` is a plain range; `npm:real@^1.0.0` an alias.
    if (targetAt > 0) return target.slice(0, targetAt)
  }
  return name
}

const unquote = (value: string) => value.trim().replace(/^"|"$/g, '')

interface YarnEntry {
  name?: string
  line: number
  /** The header's descriptors (`lodash@npm:^4.17.20`): how other entries name this one. */
  descriptors: string[]
  version?: string
  resolution?: string
  /** What this entry depends on, as descriptors. */
  dependsOn: string[]
}

/** A dependency line under `dependencies:`: berry `    name: "npm:^1"`, classic `    name "^1"`. */
const dependencyLine = /^ {4}(?:"([^"]+)"|([^\s:"]+)):? +(.+)$/

/**
 * Berry locks its workspaces as entries (`app@workspace:.`) with their dependencies: walking from those,
 * each package gets the direct dependency that brings it in. Classic yarn.lock has no such entry (the
 * manifest says what the project asks for), so there `direct` and `via` stay unknown.
 */
function berryWaysIn(entries: YarnEntry[]) {
  const byDescriptor = new Map<string, number>()
  entries.forEach((entry, index) => {
    for (const descriptor of entry.descriptors) byDescriptor.set(descriptor, index)
  })
  const workspaces = entries.flatMap((entry, index) => (entry.resolution?.includes('@workspace:') ? [index] : []))
  const resolve = (descriptors: string[]) => descriptors.flatMap((descriptor) => byDescriptor.get(descriptor) ?? [])
  const roots = workspaces.flatMap((index) =>
    resolve(entries[index]!.dependsOn)
      .filter((node) => !workspaces.includes(node))
      .map((node) => ({ node, name: entries[node]!.name ?? '', dev: false })),
  )
  const direct = new Set(roots.map((root) => root.node))
  const ways = waysIn({ roots, childrenOf: (index) => resolve(entries[index]!.dependsOn) })
  return { known: workspaces.length > 0, direct, ways }
}

export function parseYarnLock(text: string, path: string): ParseResult {
  const notes: string[] = []
  const lines = text.split('\n')
  const berry = lines.some((line) => line.startsWith('__metadata:'))
  if (!berry && !/^# yarn lockfile v1/m.test(text) && !/^\S.*:\s*$/m.test(text)) throw new Error('not a yarn lockfile')

  const entries: YarnEntry[] = []
  let entry: YarnEntry | undefined
  let inDependencies = false
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '')
    if (line === '' || line.startsWith('#')) continue
    if (!line.startsWith(' ')) {
      entry = undefined
      if (line.startsWith('__metadata')) continue
      if (!line.endsWith(':')) throw new Error(`line ${index + 1}: an entry header must end with ':'`)
      const descriptors = line.slice(0, -1).split(',').map(unquote).filter(Boolean)
      entry = { name: nameOfDescriptor(descriptors[0] ?? ''), line: index + 1, descriptors, dependsOn: [] }
      entries.push(entry)
      inDependencies = false
      continue
    }
    if (!entry) continue
    if (/^ {2}\S/.test(line)) inDependencies = /^ {2}(dependencies|optionalDependencies):?\s*$/.test(line)
    if (/^ {4}\S/.test(line) && inDependencies) {
      const dependency = dependencyLine.exec(line)
      if (dependency) entry.dependsOn.push(`${dependency[1] ?? dependency[2]}@${unquote(dependency[3]!)}`)
      continue
    }
    const field = /^ {2}(version|resolution):? +(.+)$/.exec(line)
    if (field?.[1] === 'version') entry.version = unquote(field[2]!)
    else if (field?.[1] === 'resolution') entry.resolution = unquote(field[2]!)
  }

  const { known, direct, ways } = berryWaysIn(entries)
  const dependencies: Dependency[] = []
  for (const [index, { version, resolution, line, ...rest }] of entries.entries()) {
    if (!version) continue
    let name = rest.name
    // berry's resolution names what was installed: `lodash@npm:4.17.21`; workspaces and links are not packages.
    if (resolution) {
      if (!/@npm:/.test(resolution)) continue
      name = resolution.slice(0, resolution.indexOf('@npm:'))
    }
    if (!name || !/^\d+\.\d+\.\d+/.test(version)) continue
    dependencies.push({
      ecosystem: 'npm',
      name,
      version,
      path,
      line,
      ...(known ? { direct: direct.has(index), via: direct.has(index) ? undefined : ways.get(index)?.via } : {}),
    })
  }
  if (berry && dependencies.length === 0 && !text.includes('resolution:')) notes.push(`${path}: no resolved entries`)
  return { dependencies, notes }
}
