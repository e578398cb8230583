// Import reachability: does the project's own code (not its tests, examples, docs, vendored or built files)
// import a package? Read from the import statements of JavaScript, TypeScript and Python files, so it says
// "imported" or "not imported" for npm and PyPI packages and "unknown" elsewhere. A package used only
// through another one (a transitive dependency) is `not_imported`: its code runs only as that one calls it.
import { contextOf } from '../../context.js'
import { readHeadFile, type ScanSource } from '../../engine.js'
import { normalisePackageName, type Reachability } from './types.js'

export const reachabilityLimits = {
  /** Files larger than this are not read for imports (bundles, generated code). */
  maxFileBytes: 1024 * 1024,
  /** Past this many source files the answer is `unknown`: reading them all would cost more than the scan. */
  maxFiles: 50_000,
}

const javascript = /\.(?:[cm]?[jt]sx?)$/
const python = /\.py$/

/**
 * `import … from 'x'`, `import 'x'`, `export … from 'x'`, `require('x')`, `import('x')`: the specifier's
 * package (`@scope/name` or `name`); relative paths and node: built-ins are the project's own or Node's.
 */
const jsSpecifiers = /(?:\bfrom|\bimport|\brequire)[ \t]*\(?[ \t]*["'`]([^"'`\s]{1,214})["'`]/g
function jsPackageOf(specifier: string): string | undefined {
  if (/^(?:\.|\/|node:|[a-z]+:)/i.test(specifier)) return undefined
  const [first, second] = specifier.split('/')
  return first!.startsWith('@') && second ? `${first}/${second}` : first
}

/** `import a.b, c as d` and `from a.b import c`: the top-level module names. */
const pyImports = /^[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b|import[ \t]+([^\n#;]+))/gm
function pyModulesOf(statement: { from?: string; names?: string }): string[] {
  if (statement.from) return [statement.from.split('.')[0]!]
  return (statement.names ?? '')
    .split(',')
    .map((part) => part.trim().split(/\s+/)[0]!.split('.')[0]!)
    .filter((name) => /^[A-Za-z_]\w*$/.test(name))
}

/**
 * Distributions whose import name is not their own name: the common ones, by PyPI name (PEP 503 normalised).
 * Any other distribution is looked for under its own name (dashes as underscores).
 */
const pythonImportNames: Record<string, string[]> = {
  pyyaml: ['yaml'],
  pillow: ['PIL'],
  beautifulsoup4: ['bs4'],
  'scikit-learn': ['sklearn'],
  'python-dateutil': ['dateutil'],
  'opencv-python': ['cv2'],
  'opencv-python-headless': ['cv2'],
  protobuf: ['google'],
  pyjwt: ['jwt'],
  pycryptodome: ['Crypto'],
  pycryptodomex: ['Cryptodome'],
  'python-jose': ['jose'],
  attrs: ['attr', 'attrs'],
  setuptools: ['setuptools', 'pkg_resources'],
  'python-multipart': ['multipart'],
  'python-dotenv': ['dotenv'],
  pymysql: ['pymysql'],
  'mysql-connector-python': ['mysql'],
  'psycopg2-binary': ['psycopg2'],
  'google-cloud-storage': ['google'],
  'azure-storage-blob': ['azure'],
  pyopenssl: ['OpenSSL'],
  'django-rest-framework': ['rest_framework'],
  djangorestframework: ['rest_framework'],
  'msgpack-python': ['msgpack'],
  'typing-extensions': ['typing_extensions'],
}

const importNamesOf = (name: string): string[] => {
  const normalised = normalisePackageName('PyPI', name)
  return pythonImportNames[normalised] ?? [normalised.replaceAll('-', '_')]
}

export interface ImportIndex {
  npm: Set<string>
  /** Python top-level modules, lower-cased (import names are case-sensitive, distributions are not). */
  python: Set<string>
  /** Whether each language had any product source file read: without one, nothing can be said. */
  sawJavaScript: boolean
  sawPython: boolean
  complete: boolean
}

/** Reads the imports of every product source file of the tree, once per scan. */
export async function importsOf(source: ScanSource): Promise<ImportIndex> {
  const index: ImportIndex = {
    npm: new Set(),
    python: new Set(),
    sawJavaScript: false,
    sawPython: false,
    complete: true,
  }
  const files = source.files.filter(
    (file) =>
      (javascript.test(file.path) || python.test(file.path)) &&
      !file.path.endsWith('.d.ts') &&
      file.size <= reachabilityLimits.maxFileBytes &&
      contextOf(file.path) === undefined,
  )
  if (files.length > reachabilityLimits.maxFiles) return { ...index, complete: false }
  for (const file of files) {
    if (Date.now() > source.deadline || source.cancelled?.()) return { ...index, complete: false }
    const text = textOf(source, file.path)
    if (text === undefined) continue
    if (python.test(file.path)) {
      index.sawPython = true
      for (const match of text.matchAll(pyImports))
        for (const module of pyModulesOf({ from: match[1], names: match[2] })) index.python.add(module.toLowerCase())
    } else {
      index.sawJavaScript = true
      for (const match of text.matchAll(jsSpecifiers)) {
        const name = jsPackageOf(match[1]!)
        if (name) index.npm.add(name)
      }
    }
  }
  return index
}

/** A source file's text; undefined when it cannot be read, so it simply adds no import. */
function textOf(source: ScanSource, path: string): string | undefined {
  try {
    return readHeadFile(source, path).toString('utf8')
  } catch {
    return undefined
  }
}

/** Whether the project's own code imports the package, by the index of its imports. */
export function reachabilityOf(index: ImportIndex, ecosystem: string, name: string): Reachability {
  if (!index.complete) return 'unknown'
  if (ecosystem === 'npm') {
    if (!index.sawJavaScript) return 'unknown'
    return index.npm.has(name) ? 'imported' : 'not_imported'
  }
  if (ecosystem === 'PyPI') {
    if (!index.sawPython) return 'unknown'
    return importNamesOf(name).some((module) => index.python.has(module.toLowerCase())) ? 'imported' : 'not_imported'
  }
  return 'unknown'
}
