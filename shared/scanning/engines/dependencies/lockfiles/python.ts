// Python: requirements.txt (pinned `==`/`===` lines only), poetry.lock (TOML) and Pipfile.lock (JSON).
import { parse } from 'smol-toml'
import { type Dependency, lineFinder, normalisePackageName, type ParseResult } from '../types.js'

const requirement = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(===?|~=|!=|<=|>=|<|>)\s*([^\s;,#\\]+)\s*(,)?/

export function parseRequirements(text: string, path: string): ParseResult {
  const dependencies: Dependency[] = []
  let unpinned = 0
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1
    let line = lines[index]!.replace(/\r$/, '')
    // A trailing backslash continues the requirement (hash lists); the pin is on the first line.
    while (line.endsWith('\\') && index + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++index]!.trim()}`
    line = line.replace(/(^|\s)#.*$/, '').trim()
    // Options (-r, -e, --hash, --index-url) and URLs or paths name no registry version.
    if (line === '' || line.startsWith('-') || /^[a-z+]+:\/\//i.test(line) || line.startsWith('.')) continue
    const match = requirement.exec(line)
    if (!match) {
      if (/^[A-Za-z0-9]/.test(line)) unpinned++
      continue
    }
    const [, name, operator, version, moreConstraints] = match
    if ((operator !== '==' && operator !== '===') || moreConstraints || version!.includes('*')) {
      unpinned++
      continue
    }
    dependencies.push({
      ecosystem: 'PyPI',
      name: normalisePackageName('PyPI', name!),
      version: version!,
      path,
      line: lineNumber,
      direct: true,
    })
  }
  const notes =
    unpinned > 0
      ? [`${path}: ${unpinned} requirement(s) not pinned with == were skipped (a range names no installed version)`]
      : []
  return { dependencies, notes }
}

export function parsePoetryLock(text: string, path: string): ParseResult {
  const lock = parse(text) as {
    package?: { name?: unknown; version?: unknown; category?: unknown; source?: { type?: string } }[]
  }
  const find = lineFinder(text)
  const dependencies: Dependency[] = []
  for (const entry of lock.package ?? []) {
    if (typeof entry.name !== 'string' || typeof entry.version !== 'string') continue
    // Git, directory and file sources are not PyPI releases.
    if (entry.source?.type && entry.source.type !== 'legacy') continue
    dependencies.push({
      ecosystem: 'PyPI',
      name: normalisePackageName('PyPI', entry.name),
      version: entry.version,
      path,
      line: find(`name = "${entry.name}"`),
      // Poetry before 1.2 says `category = "main"` or `"dev"`; later locks leave groups to pyproject.toml.
      ...(entry.category === 'dev'
        ? { scope: 'dev' as const }
        : entry.category === 'main'
          ? { scope: 'runtime' as const }
          : {}),
    })
  }
  return { dependencies, notes: [] }
}

export function parsePipfileLock(text: string, path: string): ParseResult {
  const lock = JSON.parse(text) as Record<string, Record<string, { version?: unknown }>>
  if (typeof lock !== 'object' || lock === null) throw new Error('not a JSON object')
  const find = lineFinder(text)
  const dependencies: Dependency[] = []
  for (const [group, scope] of [
    ['default', 'runtime'],
    ['develop', 'dev'],
  ] as const) {
    for (const [name, entry] of Object.entries(lock[group] ?? {})) {
      // Editable and VCS entries have no `version`.
      if (typeof entry?.version !== 'string' || !entry.version.startsWith('==')) continue
      dependencies.push({
        ecosystem: 'PyPI',
        name: normalisePackageName('PyPI', name),
        version: entry.version.replace(/^==+/, ''),
        path,
        line: find(`"${name}": {`),
        scope,
      })
    }
  }
  return { dependencies, notes: [] }
}
