// The dependency engine's fixtures: lockfiles of every ecosystem it reads (test/fixtures/lockfiles), the
// labels that say which of their packages are vulnerable, and the OSV records that make them so
// (test/fixtures/osv).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const fixtures = join(import.meta.dirname, '..', 'fixtures')
export const lockfilesDir = join(fixtures, 'lockfiles')
export const osvDir = join(fixtures, 'osv')
/** The names of the OSV records' files in osvDir. */
export const osvFiles = readdirSync(osvDir).filter((name) => name.endsWith('.json'))

/** Per lockfile: the finding identities a scan must report, and the packages it must not. */
export const lockfileLabels = JSON.parse(readFileSync(join(lockfilesDir, 'labels.json'), 'utf8')) as Record<
  string,
  { vulnerable: string[]; clean: string[] }
>
