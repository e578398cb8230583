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

/** A function of a version string, remembered: advisories and lockfiles repeat the same few thousand versions. */
function remembered<T>(of: (version: string) => T): (version: string) => T {
  const seen = new Map<string, T>()
  return (version) => {
    let value = seen.get(version)
    if (value === undefined) {
      if (seen.size > 100_000) seen.clear()
      value = of(version)
      seen.set(version, value)
    }
    return value
  }
}

const validPep440 = remembered((version) => pep440.valid(version) !== null)

/** PyPI: PEP 440 (epochs, pre/post/dev releases, local versions). */
export const comparePep440: Comparator = (a, b) => {
  if (!validPep440(a) || !validPep440(b)) return undefined
  return sign(pep440.compare(a, b))
}

/**
 * The release numbers a PEP 440 version starts with (epoch and all), leading zeros and trailing `.0`s
 * dropped: two versions PEP 440 calls equal always share it, so versions that do not are never compared.
 * PyPA's records list every affected version (hundreds for a large project), so this spares most comparisons.
 */
const pep440Release = remembered((version) =>
  /^v?([0-9!.]*)/i
    .exec(version.trim())![1]!
    .replace(/\.$/, '')
    .split(/([!.])/)
    .map((part) => (/^[0-9]+$/.test(part) ? String(Number(part)) : part))
    .join('')
    .replace(/(\.0)+$/, ''),
)

/** A cheap test that two versions may be equal, for ecosystems whose comparison is costly; absent: always maybe. */
export const mayBeEqual: Partial<Record<Ecosystem, (a: string, b: string) => boolean>> = {
  PyPI: (a, b) => pep440Release(a) === pep440Release(b),
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

/** Two runs of digits as numbers, however long: leading zeros dropped, then the longer is larger. */
function compareDigits(a: string, b: string): number {
  const left = a.replace(/^0+(?=\d)/, '')
  const right = b.replace(/^0+(?=\d)/, '')
  if (left.length !== right.length) return left.length < right.length ? -1 : 1
  return left < right ? -1 : left > right ? 1 : 0
}

// NuGet: NuGetVersion. One to four numeric parts (missing ones are 0, so 1.0 = 1.0.0.0), then SemVer 2.0 prerelease
// labels compared without regard to case; build metadata is ignored.
const nugetVersion =
  /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/

function nugetParts(version: string): { numbers: string[]; prerelease: string[] } | undefined {
  const match = nugetVersion.exec(version.trim())
  if (!match) return undefined
  return {
    numbers: [match[1]!, match[2] ?? '0', match[3] ?? '0', match[4] ?? '0'],
    prerelease: match[5] ? match[5].toLowerCase().split('.') : [],
  }
}

export const compareNuGet: Comparator = (a, b) => {
  const left = nugetParts(a)
  const right = nugetParts(b)
  if (!left || !right) return undefined
  for (let i = 0; i < 4; i++) {
    const order = compareDigits(left.numbers[i]!, right.numbers[i]!)
    if (order !== 0) return order
  }
  // A release sorts after its prereleases; labels compare as SemVer identifiers (numbers numerically, and first).
  if (left.prerelease.length === 0 || right.prerelease.length === 0)
    return sign(right.prerelease.length - left.prerelease.length)
  for (let i = 0; i < Math.min(left.prerelease.length, right.prerelease.length); i++) {
    const order = semver.compareIdentifiers(left.prerelease[i]!, right.prerelease[i]!)
    if (order !== 0) return order
  }
  return sign(left.prerelease.length - right.prerelease.length)
}

// Packagist: PHP's version_compare(), as OSV's reference implementation orders Packagist ranges, after dropping the
// leading `v` that Composer ignores (`v5.4.47` is 5.4.47). Versions are split into runs of digits and runs of
// letters; a word ranks by its special form (dev < alpha = a < beta = b < RC = rc < a number < pl = p, anything
// else below dev), and where one version runs out, a number after it makes the other larger and a word ranks
// against "a number".
const phpSpecialForms: [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
]
const numberForm = 4
const formOrder = (word: string) => phpSpecialForms.find(([form]) => word.startsWith(form))?.[1] ?? -1
const isDigit = (char: string) => char >= '0' && char <= '9'
const isLetter = (char: string) => (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z')

/** php_canonicalize_version and the tokens between its dots: `1.0.0-RC1` → 1, 0, 0, RC, 1. */
export function phpVersionParts(version: string): string[] {
  const parts: string[] = []
  let start = -1
  for (let i = 0; i <= version.length; i++) {
    const char = version[i] ?? '.'
    const wordChar = isDigit(char) || isLetter(char)
    // A part ends at a separator (anything not a letter or digit) and where digits meet letters.
    if (start !== -1 && (!wordChar || isDigit(char) !== isDigit(version[start]!))) {
      parts.push(version.slice(start, i))
      start = -1
    }
    if (wordChar && start === -1) start = i
  }
  return parts
}

function comparePhpParts(a: string, b: string): number {
  const aNumber = isDigit(a[0]!)
  const bNumber = isDigit(b[0]!)
  if (aNumber && bNumber) return compareDigits(a, b)
  return sign((aNumber ? numberForm : formOrder(a)) - (bNumber ? numberForm : formOrder(b)))
}

function packagistParts(version: string): string[] | undefined {
  const trimmed = version.trim()
  const bare = trimmed.startsWith('v') || trimmed.startsWith('V') ? trimmed.slice(1) : trimmed
  return isDigit(bare[0] ?? '') ? phpVersionParts(bare) : undefined
}

export const comparePackagist: Comparator = (a, b) => {
  const left = packagistParts(a)
  const right = packagistParts(b)
  if (!left || !right) return undefined
  const common = Math.min(left.length, right.length)
  for (let i = 0; i < common; i++) {
    const order = comparePhpParts(left[i]!, right[i]!)
    if (order !== 0) return order
  }
  if (left.length > common) return isDigit(left[common]![0]!) ? 1 : sign(formOrder(left[common]!) - numberForm)
  if (right.length > common) return isDigit(right[common]![0]!) ? -1 : sign(numberForm - formOrder(right[common]!))
  return 0
}

export const comparators: Record<Ecosystem, Comparator> = {
  npm: compareSemver,
  'crates.io': compareSemver,
  PyPI: comparePep440,
  Go: compareGo,
  RubyGems: compareGem,
  Maven: compareMaven,
  NuGet: compareNuGet,
  Packagist: comparePackagist,
}
