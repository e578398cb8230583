// What kind of material a path holds, judged from its folders and name alone: the product's code, or
// tests, examples, docs, vendored code or build scripts. Engines still report what they find there
// (CredData counts test secrets as real, and so do attackers) but one severity step lower, tagged.
import type { FindingContext, Severity } from './engine.js'
import { severities } from './engine.js'

const vendored =
  /(?:^|\/)(?:node_modules|bower_components|vendor|vendors|third[_-]?party|external|site-packages|\.yarn)\//i
/**
 * Library folders under a web root (`public/lib/`, `wwwroot/lib/`, `static/js/plugins/`): copies of
 * third-party code; a bare `lib/` is often the product's own.
 */
const webLibraryFolder =
  /(?:^|\/)(?:public|static|assets|wwwroot|webroot|www|htdocs)\/(?:[^/]+\/)*(?:libs?|vendors?|plugins|third[_-]?party)\//i
const tests =
  /(?:^|\/)(?:tests?|__tests__|__mocks__|spec|specs|fixtures?|testdata|test[_-]?data|mocks?|e2e|cypress|testing)\/|(?:^|\/)(?:test_[^/]*|[^/]*_test\.[a-z]+|[^/]*[.-](?:test|spec)s?\.[a-z]+|conftest\.py)$/i
const examples =
  /(?:^|\/)(?:examples?|samples?|demos?|sandbox|playground|tutorials?)\/|(?:^|\/)[^/]*[.-](?:example|sample|dist|template)(?:\.[a-z]+)?$/i
const docs = /(?:^|\/)(?:docs?|documentation|man|wiki)\/|\.(?:md|mdx|markdown|rst|adoc|txt)$/i
const build =
  /(?:^|\/)(?:scripts|build|tools|ci|\.github|\.circleci|\.gitlab)\/|(?:^|\/)(?:Gruntfile|Gulpfile|gulpfile|webpack\.config|rollup\.config|vite\.config|Makefile|Jenkinsfile|Dockerfile)(?:\.[a-z]+)?$/i

/** The context of a path, or undefined for the product's own code and configuration. */
export function contextOf(path: string): FindingContext | undefined {
  if (vendored.test(path) || webLibraryFolder.test(path)) return 'vendored'
  if (tests.test(path)) return 'test'
  if (examples.test(path)) return 'example'
  if (docs.test(path)) return 'docs'
  if (build.test(path)) return 'build'
  return undefined
}

/** One step down for material outside the product: a critical key in a test is still a high finding. */
export function severityIn(context: FindingContext | undefined, severity: Severity): Severity {
  if (!context) return severity
  const index = severities.indexOf(severity)
  return severities[Math.min(index + 1, severities.length - 1)]!
}
