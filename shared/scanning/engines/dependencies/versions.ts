// Each ecosystem's version order, as OSV `ECOSYSTEM` and `SEMVER` ranges mean it. A comparator answers
// undefined for a version it cannot read: the caller then decides nothing rather than guess.
import * as pep440 from '@renovatebot/pep440'
import semver from 'semver'
import type { Ecosystem } from './types.js'

export type Comparator = (a: string, b: string) => number | undefined

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0)

/** npm and crates.io: SemVer 2.0 (prereleases sort before their release; build metadata is ignored). */
export const compareSemver: Comparator = (a, b) => {
  const left = semver.parse(a.trim())
  const right = semver.parse(b.trim())
  return left && right ? left.compare(right) : undefined
}

/** PyPI: PEP 440 (epochs, pre/post/dev releases, local versions). */
export const comparePep440: Comparator = (a, b) => {
  if (!pep440.valid(a) || !pep440.valid(b)) return undefined
  return sign(pep440.compare(a, b))
}

/**
 * Go: semantic versions with a leading `v` (optional in OSV, present in go.mod). Pseudo-versions
 * (`v0.0.0-20220412211240-33da011f77ad`, `v1.0.1-0.20211012131345-9c444070ec7b`) are prereleases whose timestamp
 * orders them, which SemVer's prerelease rules already do; `+incompatible` is build metadata and ignored.
 */
export const compareGo: Comparator = (a, b) => compareSemver(a.replace(/^v/, ''), b.replace(/^v/, ''))

/** RubyGems: Gem::Version. Segments are runs of digits or letters; any letter makes a prerelease. */
export function gemSegments(version: string): (number | string)[] | undefined {
  const cleaned = version.trim().replace(/-/g, '.pre.')
  if (!/^[0-9]+(\.[0-9a-zA-Z]+)*$/.test(cleaned)) return undefined
  const segments = (cleaned.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d+$/.test(s) ? Number(s) : s))
  // canonical_segments: trailing zeros drop from the release part and from the prerelease part separately.
  const firstString = segments.findIndex((s) => typeof s === 'string')
  const release = firstString === -1 ? segments : segments.slice(0, firstString)
  const prerelease = firstString === -1 ? [] : segments.slice(firstString)
  const trim = (parts: (number | string)[]) => {
    let end = parts.length
    while (end > 0 && parts[end - 1] === 0) end--
    return parts.slice(0, end)
  }
  return [...trim(release), ...trim(prerelease)]
}

export const compareGem: Comparator = (a, b) => {
  const left = gemSegments(a)
  const right = gemSegments(b)
  if (!left || !right) return undefined
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i] ?? 0
    const r = right[i] ?? 0
    if (l === r) continue
    if (typeof l === 'string' && typeof r === 'number') return -1
    if (typeof l === 'number' && typeof r === 'string') return 1
    return l < r ? -1 : 1
  }
  return 0
}

// Maven: org.apache.maven.artifact.versioning.ComparableVersion (Maven 3), ported by hand.
type MavenItem =
  | { kind: 'int'; value: bigint }
  | { kind: 'string'; value: string }
  | { kind: 'list'; items: MavenItem[] }

const qualifiers = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp']
const qualifierAliases: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' }
const releaseIndex = String(qualifiers.indexOf(''))
/** Known qualifiers sort by their place; unknown ones after all of them, alphabetically. */
const comparableQualifier = (qualifier: string) => {
  const index = qualifiers.indexOf(qualifier)
  return index === -1 ? `${qualifiers.length}-${qualifier}` : String(index)
}
const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function stringItem(value: string, followedByDigit: boolean): MavenItem {
  let qualifier = value
  if (followedByDigit && value.length === 1) qualifier = { a: 'alpha', b: 'beta', m: 'milestone' }[value] ?? value
  return { kind: 'string', value: qualifierAliases[qualifier] ?? qualifier }
}

const parseItem = (isDigit: boolean, token: string): MavenItem =>
  isDigit ? { kind: 'int', value: BigInt(token) } : stringItem(token, false)

const isNullItem = (item: MavenItem) =>
  item.kind === 'int' ? item.value === 0n : item.kind === 'string' ? item.value === '' : item.items.length === 0

function normalise(list: MavenItem[]) {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!
    if (isNullItem(last)) list.splice(i, 1)
    else if (last.kind !== 'list') break
  }
}

export function parseMavenVersion(version: string): MavenItem {
  const text = version.trim().toLowerCase()
  const root: MavenItem[] = []
  let list = root
  const stack: MavenItem[][] = [root]
  let isDigit = false
  let start = 0
  const startSublist = () => {
    const sublist: MavenItem[] = []
    list.push({ kind: 'list', items: sublist })
    list = sublist
    stack.push(sublist)
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'int', value: 0n } : parseItem(isDigit, text.slice(start, i)))
      start = i + 1
      if (c === '-') startSublist()
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.push(stringItem(text.slice(start, i), true))
        start = i
        startSublist()
      }
      isDigit = true
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, text.slice(start, i)))
        start = i
        startSublist()
      }
      isDigit = false
    }
  }
  if (text.length > start) list.push(parseItem(isDigit, text.slice(start)))
  while (stack.length > 0) normalise(stack.pop()!)
  return { kind: 'list', items: root }
}

function compareMavenItems(left: MavenItem | undefined, right: MavenItem | undefined): number {
  if (left === undefined) return right === undefined ? 0 : -compareMavenItems(right, undefined)
  switch (left.kind) {
    case 'int':
      if (right === undefined) return left.value === 0n ? 0 : 1
      if (right.kind !== 'int') return 1
      return left.value < right.value ? -1 : left.value > right.value ? 1 : 0
    case 'string':
      if (right === undefined) return compareStrings(comparableQualifier(left.value), releaseIndex)
      if (right.kind === 'int' || right.kind === 'list') return -1
      return compareStrings(comparableQualifier(left.value), comparableQualifier(right.value))
    case 'list': {
      if (right === undefined) return left.items.length === 0 ? 0 : compareMavenItems(left.items[0], undefined)
      if (right.kind === 'int') return -1
      if (right.kind === 'string') return 1
      for (let i = 0; i < Math.max(left.items.length, right.items.length); i++) {
        const result = compareMavenItems(left.items[i], right.items[i])
        if (result !== 0) return result
      }
      return 0
    }
  }
}

export const compareMaven: Comparator = (a, b) => {
  if (a.trim() === '' || b.trim() === '') return undefined
  return compareMavenItems(parseMavenVersion(a), parseMavenVersion(b))
}

export const comparators: Record<Ecosystem, Comparator> = {
  npm: compareSemver,
  'crates.io': compareSemver,
  PyPI: comparePep440,
  Go: compareGo,
  RubyGems: compareGem,
  Maven: compareMaven,
}
