// Which files are lockfiles, and the parser for each. A file that does not parse is skipped with a note.
import { capped, errorText, lockfileLimits, type ParseResult } from '../types.js'
import { parseBunLock } from './bun.js'
import { parseCargoLock } from './cargo.js'
import { parseComposerLock } from './composer.js'
import { parseGoMod, parseGoSum } from './go.js'
import { parseGradleLockfile } from './gradle.js'
import { parsePom } from './maven.js'
import { parsePackageLock } from './npm.js'
import { parseNuGetLock } from './nuget.js'
import { parsePnpmLock } from './pnpm.js'
import { parsePipfileLock, parsePoetryLock, parseRequirements } from './python.js'
import { parseGemfileLock } from './ruby.js'
import { parsePylock, parseUvLock } from './uv.js'
import { parseYarnLock } from './yarn.js'

export type LockfileParser = (text: string, path: string) => ParseResult

const byName: Record<string, LockfileParser> = {
  'package-lock.json': parsePackageLock,
  'npm-shrinkwrap.json': parsePackageLock,
  'yarn.lock': parseYarnLock,
  'pnpm-lock.yaml': parsePnpmLock,
  'bun.lock': parseBunLock,
  'poetry.lock': parsePoetryLock,
  'Pipfile.lock': parsePipfileLock,
  'uv.lock': parseUvLock,
  'pylock.toml': parsePylock,
  'go.mod': parseGoMod,
  'go.sum': parseGoSum,
  'Cargo.lock': parseCargoLock,
  'Gemfile.lock': parseGemfileLock,
  'gems.locked': parseGemfileLock,
  'pom.xml': parsePom,
  'gradle.lockfile': parseGradleLockfile,
  'packages.lock.json': parseNuGetLock,
  'composer.lock': parseComposerLock,
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1)

/**
 * The parser for a path, by its file name; requirements files come as requirements*.txt and requirements/*.txt,
 * and PEP 751 names extra lock files pylock.<name>.toml.
 */
export function parserFor(path: string): LockfileParser | undefined {
  const name = baseName(path)
  if (Object.hasOwn(byName, name)) return byName[name]
  if (/^pylock\.[^./]+\.toml$/.test(name)) return parsePylock
  if (/^requirements[\w.-]*\.txt$/i.test(name) || /(^|\/)requirements\/[\w.-]+\.txt$/i.test(path))
    return parseRequirements
  return undefined
}

/**
 * The lockfiles among a tree's files. Files under node_modules/ or vendor/ belong to installed packages, not to
 * the project; a go.sum beside a go.mod adds only versions that are not built.
 */
export function lockfilesOf(paths: string[]): string[] {
  const set = new Set(paths)
  return paths.filter((path) => {
    if (/(^|\/)(node_modules|vendor|\.git)\//.test(path) || !parserFor(path)) return false
    return !(baseName(path) === 'go.sum' && set.has(`${path.slice(0, -'go.sum'.length)}go.mod`))
  })
}

/** Parses one lockfile's bytes; never throws: a broken or oversized file becomes a note. */
export function parseLockfile(path: string, bytes: Buffer | string): ParseResult {
  const parser = parserFor(path)
  if (!parser) return { dependencies: [], notes: [`${path}: not a lockfile Vega reads`] }
  if (bytes.length > lockfileLimits.maxBytes)
    return {
      dependencies: [],
      notes: [`${path}: ${bytes.length} bytes is over the ${lockfileLimits.maxBytes}-byte limit; skipped`],
    }
  try {
    const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8')
    return capped(parser(text.replace(/^\uFEFF/, ''), path), path)
  } catch (error) {
    return { dependencies: [], notes: [`${path}: could not be parsed (${errorText(error)}); skipped`] }
  }
}
