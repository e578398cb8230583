// A cheap, conservative test of whether a rule could match a node, in JavaScript, before asking the
// native side. `node.matches(rule)` compiles the rule (every regex in it) on each call: attributing a
// file's few hits to forty rules that way cost more than parsing the file. The prefilter reads only the
// parts of a rule it can judge exactly (kind, regex, a `has` on a field) and answers "maybe" otherwise.
import type { Rule, SgNode } from '@ast-grep/napi'

/** False: the rule cannot match the node. True: it may; ask `node.matches`. */
export type Prefilter = (node: SgNode) => boolean

const maybe: Prefilter = () => true

/**
 * The rule's regex in JavaScript, or undefined when the two dialects might disagree. A leading `(?i)`
 * becomes the `i` flag; `(?i:…)` groups are understood by Node 24. Rust's `\w`, `\d`, `\b` and `\s` and its
 * case folding differ from JavaScript's outside ASCII, so such a regex may reject only text that is all ASCII.
 */
function javascriptRegex(source: string): { regex: RegExp; asciiOnly: boolean } | undefined {
  const caseless = source.startsWith('(?i)')
  const body = caseless ? source.slice(4) : source
  if (/\(\?[a-hj-z]|\\[pPAzZ]|\[\[:|\(\?P?</.test(body)) return undefined
  try {
    return { regex: new RegExp(body, caseless ? 'i' : ''), asciiOnly: caseless || /\\[wWdDbBsS]|\(\?i:/.test(body) }
  } catch {
    return undefined
  }
}

const nonAscii = /[^\p{ASCII}]/u

/** The prefilter of a rule object; parts it cannot judge answer "maybe". */
export function prefilterOf(rule: Rule): Prefilter {
  const tests: Prefilter[] = []
  if (rule.kind) {
    const kind = rule.kind
    tests.push((node) => node.kind() === kind)
  }
  if (typeof rule.regex === 'string') {
    const translated = javascriptRegex(rule.regex)
    if (translated) {
      const { regex, asciiOnly } = translated
      tests.push((node) => {
        const text = node.text()
        return regex.test(text) || (asciiOnly && nonAscii.test(text))
      })
    }
  }
  const has = rule.has
  if (has && typeof has.field === 'string' && !has.stopBy) {
    const field = has.field
    const inner = prefilterOf(has as Rule)
    tests.push((node) => {
      const child = node.field(field)
      return child !== null && inner(child)
    })
  }
  if (rule.all) tests.push(...rule.all.map(prefilterOf).filter((test) => test !== maybe))
  if (rule.any) {
    const options = rule.any.map(prefilterOf)
    if (!options.includes(maybe)) tests.push((node) => options.some((option) => option(node)))
  }
  if (!tests.length) return maybe
  return (node) => tests.every((test) => test(node))
}

const prefilters = new WeakMap<Rule, Prefilter>()

/** `prefilterOf(rule)(node)`, the prefilter built once per rule object. */
export function mayMatch(rule: Rule, node: SgNode): boolean {
  let prefilter = prefilters.get(rule)
  if (!prefilter) {
    prefilter = prefilterOf(rule)
    prefilters.set(rule, prefilter)
  }
  return prefilter(node)
}
