// yarn.lock: classic (v1, its own format) and berry (v2+, YAML), read by one line scanner: every top-level
// entry is a header line of descriptors followed by indented fields, and only `version` and `resolution` matter.
import type { Dependency, ParseResult } from '../types.js'

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

export function parseYarnLock(text: string, path: string): ParseResult {
  const dependencies: Dependency[] = []
  const notes: string[] = []
  const lines = text.split('\n')
  const berry = lines.some((line) => line.startsWith('__metadata:'))
  if (!berry && !/^# yarn lockfile v1/m.test(text) && !/^\S.*:\s*$/m.test(text)) throw new Error('not a yarn lockfile')

  let entry: { name?: string; line: number; version?: string; resolution?: string } | undefined
  const flush = () => {
    if (!entry?.version) return
    let name = entry.name
    // berry's resolution names what was installed: `lodash@npm:4.17.21`; workspaces and links are not packages.
    if (entry.resolution) {
      if (!/@npm:/.test(entry.resolution)) return
      name = entry.resolution.slice(0, entry.resolution.indexOf('@npm:'))
    }
    if (!name || !/^\d+\.\d+\.\d+/.test(entry.version)) return
    dependencies.push({ ecosystem: 'npm', name, version: entry.version, path, line: entry.line })
  }

  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '')
    if (line === '' || line.startsWith('#')) continue
    if (!line.startsWith(' ')) {
      flush()
      entry = undefined
      if (line.startsWith('__metadata')) continue
      if (!line.endsWith(':')) throw new Error(`line ${index + 1}: an entry header must end with ':'`)
      const first = unquote(line.slice(0, -1).split(',')[0] ?? '')
      entry = { name: nameOfDescriptor(first), line: index + 1 }
      continue
    }
    if (!entry || /^ {3,}/.test(line)) continue
    const field = /^ {2}(version|resolution):? +(.+)$/.exec(line)
    if (field?.[1] === 'version') entry.version = unquote(field[2]!)
    else if (field?.[1] === 'resolution') entry.resolution = unquote(field[2]!)
  }
  flush()
  if (berry && dependencies.length === 0 && !text.includes('resolution:')) notes.push(`${path}: no resolved entries`)
  return { dependencies, notes }
}
