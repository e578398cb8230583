// Intra-procedural taint for Python, written by hand over the tree-sitter tree @ast-grep/napi parsed (no
// maintained JavaScript library follows Python data flow; Semgrep, CodeQL and Pysa are native tools).
// Each function body is run as a small abstract interpreter: values are clean or tainted (with the steps
// that carried the taint from its source), strings keep their constant pieces (so a slice that cuts the
// input out is clean), lists, dicts and configparser sections keep their items by index or key, numbers and
// strings known at analysis time decide `if` and `x if c else y` (so a branch that cannot run carries
// nothing), and sanitizers mark a value safe for the sinks they defend. A tainted value reaching a sink of
// its family is a finding that names its source and sink lines.
import type { SgNode } from '@ast-grep/napi'

import type { EngineFinding, FlowStep, Severity } from '../../../engine.js'

const kindOf = (node: SgNode): string => String(node.kind())

/** What a sink lets an attacker do; a sanitizer makes a value safe for some of them. */
export type Family =
  | 'cmdi'
  | 'codeinj'
  | 'deserialization'
  | 'ldapi'
  | 'pathtraver'
  | 'redirect'
  | 'sqli'
  | 'trustbound'
  | 'xpathi'
  | 'xss'
  | 'xxe'

interface Piece {
  /** Constant text, or absent for a piece from outside (its length unknown). */
  text?: string
}

export interface Value {
  tainted: boolean
  /** Families this tainted value was made safe for. */
  safeFor: Set<Family>
  /** Source first, then each step that carried the taint here. */
  flow: FlowStep[]
  pieces?: Piece[]
  number?: number
  items?: Value[]
  entries?: Map<string, Value>
}

const clean = (): Value => ({ tainted: false, safeFor: new Set(), flow: [] })
const constantText = (text: string): Value => ({ ...clean(), pieces: [{ text }] })

type Env = Map<string, Value>

interface Context {
  path: string
  lines: string[]
  findings: EngineFinding[]
  /** Names of parsers set up to resolve external entities in this function (`setFeature(…external…, True)`). */
  unsafeParsers: Set<string>
  /** Inside a route handler: what it returns is the HTTP answer. */
  isHandler: boolean
}

const lineOf = (node: SgNode) => node.range().start.line + 1

function step(context: Context, node: SgNode, note: string): FlowStep {
  const line = lineOf(node)
  return { path: context.path, line, snippet: (context.lines[line - 1] ?? '').trim().slice(0, 200), note }
}

/** The union of several values' taint (a concatenation, a call's result, a merge of two branches). */
function union(values: Value[]): Value {
  const tainted = values.filter((value) => value.tainted)
  if (!tainted.length) return clean()
  const safeFor = new Set(
    [...tainted[0]!.safeFor].filter((family) => tainted.every((value) => value.safeFor.has(family))),
  )
  return { tainted: true, safeFor, flow: tainted[0]!.flow }
}

function withStep(value: Value, added: FlowStep): Value {
  return value.tainted ? { ...value, flow: [...value.flow, added].slice(-12) } : value
}

// Where request input comes in: Flask, Django, FastAPI/Starlette, the command line, the console.
const sourceCall =
  /^(?:flask\.)?request\.(?:args|form|values|cookies|headers|files|GET|POST|COOKIES|META|query_params|path_params)\.(?:get|getlist|to_dict|items|values|keys)$|^(?:flask\.)?request\.(?:get_json|get_data|json|body)$|^input$/
const sourceAttribute =
  /^(?:flask\.)?request\.(?:args|form|values|cookies|headers|files|json|data|GET|POST|COOKIES|META|body|query_params|path_params|query_string)$|^sys\.argv$/

/** Calls whose result is safe for some sinks, whatever went in. */
function sanitizerOf(callee: string): Family[] | 'all' | undefined {
  const name = callee.split('.').pop() ?? ''
  if (/^(?:int|float|bool|len|hash|ord|abs|round)$/.test(callee)) return 'all'
  if (/escape/i.test(name) || callee === 'bleach.clean') return ['xss']
  if (callee === 'shlex.quote' || callee === 'pipes.quote') return ['cmdi']
  if (/^(?:flask\.)?jsonify$|^json\.dumps$|^JsonResponse$/.test(callee)) return ['xss'] // JSON, not HTML
  if (callee === 'os.path.basename' || callee === 'werkzeug.utils.secure_filename' || name === 'secure_filename')
    return ['pathtraver']
  if (/^(?:ldap3?\.utils\.conv\.)?escape_filter_chars$/.test(callee) || name === 'escape_filter_chars') return ['ldapi']
  return undefined
}

function stringText(node: SgNode): string | undefined {
  if (kindOf(node) !== 'string' || node.children().some((child) => kindOf(child) === 'interpolation')) return undefined
  return node
    .children()
    .filter((child) => kindOf(child) === 'string_content' || kindOf(child) === 'escape_sequence')
    .map((child) => child.text())
    .join('')
}

function concat(values: Value[]): Value {
  const joined = union(values)
  if (values.every((value) => value.pieces)) joined.pieces = values.flatMap((value) => value.pieces!)
  return joined
}

/** A piece list's constant text, when every piece is constant. */
const textOf = (value: Value) =>
  value.pieces?.every((piece) => piece.text !== undefined)
    ? value.pieces.map((piece) => piece.text).join('')
    : undefined

/** `s[a:b]` over pieces: clean when the cut keeps constant text only. */
function slice(value: Value, start: number | undefined, end: number | undefined): Value {
  if (!value.pieces || !value.tainted) return value
  const pieces = value.pieces
  // Offsets are known from the front up to the first outside piece, and from the back after the last.
  const front: number[] = []
  let at = 0
  for (const piece of pieces) {
    if (piece.text === undefined) break
    front.push(at)
    at += piece.text.length
  }
  const constantHead = at
  let tail = 0
  for (let index = pieces.length - 1; index >= 0 && pieces[index]!.text !== undefined; index--)
    tail += pieces[index]!.text!.length
  const from = start ?? 0
  const to = end
  // The taint starts after constantHead characters and ends tail characters before the end.
  if (from >= 0 && to !== undefined && to >= 0 && to <= constantHead) return clean()
  if (from < 0 && -from <= tail && (to === undefined || to <= 0)) return clean()
  return { ...value, pieces: undefined }
}

export class PythonTaint {
  constructor(private readonly context: Context) {}

  run(body: SgNode, env: Env): void {
    for (const statement of body.namedChildren()) this.statement(statement, env)
  }

  private statement(node: SgNode, env: Env): void {
    switch (kindOf(node)) {
      case 'expression_statement':
        for (const child of node.namedChildren()) this.expressionStatement(child, env)
        return
      case 'if_statement':
        this.ifStatement(node, env)
        return
      case 'match_statement':
        this.matchStatement(node, env)
        return
      case 'return_statement': {
        const returned = node.namedChildren()[0]
        // What a handler returns is the page: a string built with the input in it is written as HTML.
        const value = returned ? this.evaluate(returned, env) : undefined
        if (value?.pieces && returned && this.context.isHandler) this.sink('xss', value, returned)
        return
      }
      case 'function_definition':
      case 'decorated_definition':
        return // analysed on its own, with its own variables
      case 'block':
        this.run(node, env)
        return
      default:
        // try/with/for/while and their clauses: each block once, in order.
        for (const child of node.namedChildren())
          if (kindOf(child) === 'block') this.run(child, env)
          else if (kindOf(child) === 'with_clause') this.evaluate(child, env)
          else if (/clause$/.test(kindOf(child))) this.statement(child, env)
          else this.evaluate(child, env)
    }
  }

  private ifStatement(node: SgNode, env: Env): void {
    const condition = node.field('condition')
    const consequence = node.field('consequence')
    const alternatives = node.namedChildren().filter((child) => /^(?:elif|else)_clause$/.test(kindOf(child)))
    const decided = condition ? this.truth(condition, env) : undefined
    if (decided === true && consequence) {
      this.run(consequence, env)
      return
    }
    if (decided === false) {
      const next = alternatives[0]
      if (!next) return
      if (kindOf(next) === 'else_clause') {
        this.run(next.field('body') ?? next, env)
        return
      }
      // elif: the same decision again, on the elif's own condition.
      this.ifStatement(next, env)
      return
    }
    // Unknown: each branch on its own copy, then the union. A branch that returns leaves nothing behind.
    const branches: Env[] = []
    const guardReturns = consequence ? this.returns(consequence) : false
    if (consequence) {
      const copy = new Map(env)
      this.run(consequence, copy)
      if (!guardReturns) branches.push(copy)
    }
    let hasElse = false
    for (const alternative of alternatives) {
      const copy = new Map(env)
      if (kindOf(alternative) === 'else_clause') {
        hasElse = true
        this.run(alternative.field('body') ?? alternative, copy)
      } else this.ifStatement(alternative, copy)
      branches.push(copy)
    }
    if (!hasElse) branches.push(new Map(env))
    this.merge(env, branches)
    // `if '../' in name: return`: past the guard, the value cannot climb out of its folder.
    if (guardReturns && condition) this.guard(condition, env)
  }

  /** `match`: the one case a known subject takes, or every case merged. */
  private matchStatement(node: SgNode, env: Env): void {
    const [subject, body] = node.namedChildren()
    const cases = body?.namedChildren().filter((child) => kindOf(child) === 'case_clause') ?? []
    const known = subject ? this.constantKey(subject, env) : undefined
    const alternativesOf = (clause: SgNode) =>
      clause
        .namedChildren()
        .filter((child) => kindOf(child) === 'case_pattern')
        .flatMap((pattern) => pattern.findAll({ rule: { kind: 'string' } }).map((text) => stringText(text)))
    const blockOf = (clause: SgNode) => clause.namedChildren().find((child) => kindOf(child) === 'block')
    if (known !== undefined) {
      const taken = cases.find((clause) => {
        const alternatives = alternativesOf(clause)
        return alternatives.length === 0 || alternatives.includes(String(known))
      })
      const block = taken && blockOf(taken)
      if (block) this.run(block, env)
      return
    }
    const branches = cases.map((clause) => {
      const copy = new Map(env)
      const block = blockOf(clause)
      if (block) this.run(block, copy)
      return copy
    })
    this.merge(env, [...branches, new Map(env)])
  }

  private merge(env: Env, branches: Env[]): void {
    const names = new Set(branches.flatMap((branch) => [...branch.keys()]))
    for (const name of names) {
      const values = branches.map((branch) => branch.get(name) ?? clean())
      const merged = union(values)
      const shapes = values.find((value) => value.tainted) ?? values[0]!
      env.set(
        name,
        merged.tainted ? { ...merged, items: shapes.items, entries: shapes.entries } : { ...shapes, tainted: false },
      )
    }
  }

  private returns(block: SgNode): boolean {
    const last = block.namedChildren().at(-1)
    return last?.kind() === 'return_statement' || last?.kind() === 'raise_statement'
  }

  private guard(condition: SgNode, env: Env): void {
    // `if url.netloc not in allowed …: return`: past a host check, what the function redirects to was vetted.
    if (/\.(?:netloc|hostname)\b/.test(condition.text())) {
      for (const [name, value] of env)
        if (value.tainted) env.set(name, { ...value, safeFor: new Set([...value.safeFor, 'redirect']) })
      return
    }
    // `if not x.startswith("'") or not x.endswith("'") …: return`: past it, x is a quoted literal only.
    const literalCheck = /^(?:not\s+)?(\w+)\.startswith\((["'])\\?['"]\2\)[\s\S]*\1\.endswith\(/.exec(condition.text())
    if (literalCheck) {
      const value = env.get(literalCheck[1]!)
      if (value?.tainted) env.set(literalCheck[1]!, { ...value, safeFor: new Set([...value.safeFor, 'codeinj']) })
      return
    }
    if (kindOf(condition) !== 'comparison_operator') return
    const [needle, haystack] = condition.namedChildren()
    const operator = condition.children().find((child) => child.text() === 'in')
    if (!operator || !needle || haystack?.kind() !== 'identifier') return
    const text = stringText(needle)
    // What the guard keeps out decides what the value is then safe for.
    const safe: Family[] = []
    if (text !== undefined && /\.\.|\//.test(text)) safe.push('pathtraver')
    if (text !== undefined && /['"]/.test(text)) safe.push('xpathi', 'sqli')
    if (!safe.length) return
    const value = env.get(haystack.text())
    if (value?.tainted) env.set(haystack.text(), { ...value, safeFor: new Set([...value.safeFor, ...safe]) })
  }

  /** A condition's truth when it is known at analysis time. */
  private truth(node: SgNode, env: Env): boolean | undefined {
    const kind = kindOf(node)
    if (kind === 'parenthesized_expression') return this.truth(node.namedChildren()[0]!, env)
    if (kind === 'true') return true
    if (kind === 'false' || kind === 'none') return false
    if (kind === 'not_operator') {
      const inner = this.truth(node.namedChildren()[0]!, env)
      return inner === undefined ? undefined : !inner
    }
    if (kind === 'boolean_operator') {
      const [left, right] = node.namedChildren()
      const operator = node
        .children()
        .find((child) => child.text() === 'and' || child.text() === 'or')
        ?.text()
      const a = this.truth(left!, env)
      const b = this.truth(right!, env)
      if (operator === 'and') return a === false || b === false ? false : a && b ? true : undefined
      return a === true || b === true ? true : a === false && b === false ? false : undefined
    }
    if (kind === 'comparison_operator') {
      const operands = node.namedChildren()
      const operators = node
        .children()
        .filter((child) => !child.isNamed())
        .map((child) => child.text())
      if (operands.length !== 2) return undefined
      const [left, right] = operands.map((operand) => this.evaluate(operand, env))
      const operator = operators.join(' ')
      const a = left!.number ?? textOf(left!)
      const b = right!.number ?? textOf(right!)
      if (a === undefined || b === undefined) return undefined
      switch (operator) {
        case '>':
          return a > b
        case '<':
          return a < b
        case '>=':
          return a >= b
        case '<=':
          return a <= b
        case '==':
          return a === b
        case '!=':
          return a !== b
        case 'in':
          return typeof a === 'string' && typeof b === 'string' ? b.includes(a) : undefined
        case 'not in':
          return typeof a === 'string' && typeof b === 'string' ? !b.includes(a) : undefined
      }
    }
    const value = this.evaluate(node, env)
    if (value.number !== undefined) return value.number !== 0
    return undefined
  }

  private expressionStatement(node: SgNode, env: Env): void {
    const kind = kindOf(node)
    if (kind === 'assignment') {
      this.assign(node, env)
      return
    }
    if (kind === 'augmented_assignment') {
      const left = node.field('left')
      const right = node.field('right')
      if (!left || !right) return
      const before = this.evaluate(left, env)
      const added = this.evaluate(right, env)
      const after = concat(before.pieces ? [before, this.asText(added)] : [before, added])
      if (before.number !== undefined) after.number = undefined
      this.bind(left, withStep(after, step(this.context, node, node.text().slice(0, 80))), env)
      return
    }
    this.evaluate(node, env)
  }

  private assign(node: SgNode, env: Env): void {
    const left = node.field('left')
    const right = node.field('right')
    if (!left || !right) return
    const value = this.evaluate(right, env)
    this.bind(left, withStep(value, step(this.context, node, node.text().slice(0, 80))), env)
  }

  private bind(target: SgNode, value: Value, env: Env): void {
    const kind = kindOf(target)
    if (kind === 'identifier') {
      env.set(target.text(), value)
      return
    }
    if (kind === 'subscript') {
      const container = target.field('value')
      const index = target.field('subscript')
      if (!container || !index) return
      const name = container.text()
      // `session[key] = value`: input put into the trusted session.
      if (/^(?:flask\.)?session$|\.session$/.test(name)) {
        this.sink('trustbound', union([value, this.evaluate(index, env)]), target)
        return
      }
      const holder = env.get(name)
      const key = this.constantKey(index, env)
      if (holder?.entries && key !== undefined) holder.entries.set(String(key), value)
      else if (holder?.items && typeof key === 'number') holder.items[key < 0 ? holder.items.length + key : key] = value
      else if (holder) env.set(name, union([holder, value]))
      return
    }
    if (kind === 'pattern_list' || kind === 'tuple_pattern' || kind === 'list_pattern')
      for (const part of target.namedChildren()) this.bind(part, value, env)
  }

  private constantKey(node: SgNode, env: Env): string | number | undefined {
    const value = this.evaluate(node, env)
    return value.number ?? textOf(value)
  }

  evaluate(node: SgNode, env: Env): Value {
    switch (kindOf(node)) {
      case 'identifier':
        // The request object itself handed to a helper (`wrapper(request)`) carries all its input.
        return env.get(node.text()) ?? (node.text() === 'request' ? this.source(node) : clean())
      case 'integer':
      case 'float': {
        const number = Number(node.text().replace(/_/g, ''))
        return Number.isFinite(number) ? { ...clean(), number } : clean()
      }
      case 'string': {
        const text = stringText(node)
        if (text !== undefined) return constantText(text)
        return concat(
          node
            .children()
            .filter((child) => kindOf(child) === 'string_content' || kindOf(child) === 'interpolation')
            .map((child) =>
              kindOf(child) === 'string_content'
                ? constantText(child.text())
                : this.asText(this.evaluate(child.namedChildren()[0]!, env)),
            ),
        )
      }
      case 'concatenated_string':
        return concat(node.namedChildren().map((child) => this.evaluate(child, env)))
      case 'parenthesized_expression':
        return this.evaluate(node.namedChildren()[0]!, env)
      case 'binary_operator':
        return this.binary(node, env)
      case 'unary_operator': {
        const value = this.evaluate(node.namedChildren()[0]!, env)
        return value.number !== undefined && node.text().startsWith('-') ? { ...value, number: -value.number } : value
      }
      case 'conditional_expression': {
        const [yes, condition, no] = node.namedChildren()
        const decided = this.truth(condition!, env)
        if (decided === true) return this.evaluate(yes!, env)
        if (decided === false) return this.evaluate(no!, env)
        return union([this.evaluate(yes!, env), this.evaluate(no!, env)])
      }
      case 'list':
      case 'tuple':
      case 'set': {
        const items = node.namedChildren().map((child) => this.evaluate(child, env))
        return { ...union(items), items }
      }
      case 'dictionary': {
        const entries = new Map<string, Value>()
        const values: Value[] = []
        for (const pair of node.namedChildren().filter((child) => kindOf(child) === 'pair')) {
          const key = pair.field('key')
          const value = pair.field('value')
          if (!key || !value) continue
          const evaluated = this.evaluate(value, env)
          values.push(evaluated)
          const constant = this.constantKey(key, env)
          if (constant !== undefined) entries.set(String(constant), evaluated)
        }
        return { ...union(values), entries }
      }
      case 'subscript':
        return this.subscript(node, env)
      case 'attribute': {
        const text = node.text()
        if (sourceAttribute.test(text)) return this.source(node)
        // The request's own facts (path, method, url of the route) are not what a client chose to send.
        if (/^(?:flask\.)?request\.\w+$/.test(text)) return clean()
        return this.evaluate(node.field('object') ?? node, env === undefined ? new Map() : env)
      }
      case 'call':
        return this.call(node, env)
      case 'list_comprehension':
      case 'generator_expression':
        return union(node.namedChildren().map((child) => this.evaluate(child, env)))
      default:
        return union(node.namedChildren().map((child) => this.evaluate(child, env)))
    }
  }

  private asText(value: Value): Value {
    if (value.pieces) return value
    if (value.number !== undefined) return { ...value, pieces: [{ text: String(value.number) }] }
    return { ...value, pieces: [value.tainted ? {} : { text: '' }] }
  }

  private binary(node: SgNode, env: Env): Value {
    const left = this.evaluate(node.field('left')!, env)
    const right = this.evaluate(node.field('right')!, env)
    const operator =
      node.field('operator')?.text() ??
      node
        .children()
        .find((child) => !child.isNamed())
        ?.text()
    if (left.number !== undefined && right.number !== undefined) {
      const a = left.number
      const b = right.number
      const number =
        operator === '+'
          ? a + b
          : operator === '-'
            ? a - b
            : operator === '*'
              ? a * b
              : operator === '//'
                ? Math.floor(a / b)
                : operator === '%'
                  ? a % b
                  : operator === '**'
                    ? a ** b
                    : undefined
      return { ...clean(), number }
    }
    if (operator === '+') return concat([this.asText(left), this.asText(right)])
    return union([left, right])
  }

  private subscript(node: SgNode, env: Env): Value {
    const container = node.field('value')!
    const index = node.field('subscript')
    if (sourceAttribute.test(container.text())) return this.source(node)
    const value = this.evaluate(container, env)
    if (!index) return value
    if (kindOf(index) === 'slice') {
      const bounds = index.children()
      const colon = bounds.findIndex((child) => child.text() === ':')
      const bound = (nodes: SgNode[]) => {
        const named = nodes.filter((child) => child.isNamed())
        return named.length ? this.evaluate(named[0]!, env).number : undefined
      }
      const start = bound(bounds.slice(0, colon))
      const end = bound(bounds.slice(colon + 1))
      const startKnown = bounds.slice(0, colon).some((child) => child.isNamed()) ? start : 0
      if (startKnown === undefined) return value
      return slice(value, startKnown, end)
    }
    const key = this.constantKey(index, env)
    const text = textOf(value)
    if (text !== undefined && typeof key === 'number') return constantText(text.at(key) ?? '')
    if (value.entries && key !== undefined) return value.entries.get(String(key)) ?? clean()
    if (value.items && typeof key === 'number') return value.items.at(key) ?? clean()
    return { ...value, pieces: undefined, items: undefined, entries: undefined }
  }

  private source(node: SgNode): Value {
    return {
      tainted: true,
      safeFor: new Set(),
      flow: [step(this.context, node, `${node.text().slice(0, 60)} (source)`)],
    }
  }

  private call(node: SgNode, env: Env): Value {
    const callee = node.field('function')
    const argumentList = node.field('arguments')
    const args = (argumentList?.namedChildren() ?? []).filter((child) => kindOf(child) !== 'keyword_argument')
    const keywords = (argumentList?.namedChildren() ?? []).filter((child) => kindOf(child) === 'keyword_argument')
    const name = callee?.text() ?? ''
    if (sourceCall.test(name)) return this.source(node)
    const values = args.map((arg) => this.evaluate(arg, env))
    this.sinks(name, values, keywords, node, env)

    const sanitizer = sanitizerOf(name)
    if (sanitizer === 'all') {
      const number = name === 'int' || name === 'float' ? values[0]?.number : undefined
      return { ...clean(), number }
    }
    if (sanitizer) {
      const value = union(values)
      return value.tainted ? { ...value, safeFor: new Set([...value.safeFor, ...sanitizer]) } : value
    }

    // Methods on a container or a string held in a variable.
    if (callee?.kind() === 'attribute') {
      const object = callee.field('object')!
      const method = callee.field('attribute')?.text() ?? ''
      const holder = kindOf(object) === 'identifier' ? env.get(object.text()) : undefined
      const result = this.method(object, method, holder, values, node, env)
      if (result) return result
      const receiver = this.evaluate(object, env)
      return union([receiver, ...values])
    }
    if (name === 'str' || name === 'format') return values[0] ? this.asText(values[0]) : clean()
    return union([...values, ...keywords.map((keyword) => this.evaluate(keyword.field('value') ?? keyword, env))])
  }

  /** List, dict, configparser and string methods that move values in or out by position or key. */
  private method(
    object: SgNode,
    method: string,
    holder: Value | undefined,
    values: Value[],
    node: SgNode,
    env: Env,
  ): Value | undefined {
    const keyOf = (at: number) => {
      const argument = node.field('arguments')?.namedChildren()[at]
      return argument ? this.constantKey(argument, env) : undefined
    }
    if (holder?.items) {
      if (method === 'append') {
        holder.items.push(values[0] ?? clean())
        return clean()
      }
      if (method === 'insert' && typeof keyOf(0) === 'number') {
        holder.items.splice(keyOf(0) as number, 0, values[1] ?? clean())
        return clean()
      }
      if (method === 'pop') {
        const at = values.length ? keyOf(0) : -1
        if (typeof at !== 'number') return union(holder.items)
        const [taken] = holder.items.splice(at < 0 ? holder.items.length + at : at, 1)
        return taken ?? clean()
      }
      if (method === 'remove') {
        const text = textOf(values[0] ?? clean())
        const at = holder.items.findIndex((item) => textOf(item) === text)
        if (at >= 0) holder.items.splice(at, 1)
        return clean()
      }
      if (method === 'extend') {
        holder.items.push(...(values[0]?.items ?? [values[0] ?? clean()]))
        return clean()
      }
    }
    if (holder?.entries || method === 'add_section') {
      const entries = holder?.entries ?? new Map<string, Value>()
      if (!holder) env.set(object.text(), { ...clean(), entries })
      // configparser: set(section, option, value) and get(section, option).
      if (method === 'set' && values.length === 3) {
        entries.set(`${keyOf(0)}/${keyOf(1)}`, values[2]!)
        return clean()
      }
      if (method === 'get' && values.length >= 2 && entries.has(`${keyOf(0)}/${keyOf(1)}`))
        return entries.get(`${keyOf(0)}/${keyOf(1)}`)!
      if (method === 'get' || method === 'pop' || method === 'setdefault') {
        const key = keyOf(0)
        if (key !== undefined && entries.has(String(key))) return entries.get(String(key))!
        return values[1] ?? clean()
      }
      if (method === 'update' && values[0]?.entries) {
        for (const [key, value] of values[0].entries) entries.set(key, value)
        return clean()
      }
      if (method === 'add_section') return clean()
    }
    // `'sep'.join(parts)`: the parts' taint.
    if (method === 'join' && values[0] && kindOf(object) === 'string')
      return values[0].items ? concat(values[0].items.map((item) => this.asText(item))) : values[0]
    if (method === 'format')
      return this.asText(
        union([
          this.evaluate(object, env),
          ...values,
          ...values.flatMap((value) => [...(value.entries?.values() ?? [])]),
        ]),
      )
    return undefined
  }

  private sinks(name: string, values: Value[], keywords: SgNode[], node: SgNode, env: Env): void {
    const first = values[0] ?? clean()
    const all = union(values)
    const argumentAt = (at: number) => node.field('arguments')?.namedChildren()[at]?.text()
    const family = sinkFamilyOf(name, node.text())
    if (!family) return
    if (family === 'cmdi') this.sink(family, commandOf(first), node)
    else if (family === 'ldapi') this.sink(family, all, node)
    else if (family === 'xpathi') this.sink(family, (/select$/.test(name) ? values[1] : first) ?? clean(), node)
    else if (family === 'xxe') {
      const parser = argumentAt(1)
      if (parser && this.context.unsafeParsers.has(parser)) this.sink(family, first, node)
    } else this.sink(family, first, node)
    void keywords
    void env
  }

  private sink(family: Family, value: Value, node: SgNode): void {
    if (!value.tainted || value.safeFor.has(family)) return
    const sinkStep = step(this.context, node, `${node.text().split('\n')[0]!.slice(0, 60)} (sink)`)
    this.context.findings.push(findingOf(family, [...value.flow, sinkStep], this.context.path))
  }
}

const families: Record<Family, { cwe: string[]; title: string; severity: Severity; fix: string }> = {
  cmdi: {
    cwe: ['CWE-78'],
    title: 'Command built from request input',
    severity: 'high',
    fix: 'Pass a list of arguments without a shell, and never let input choose the command; quote with shlex.quote if a shell is unavoidable.',
  },
  codeinj: {
    cwe: ['CWE-94', 'CWE-95'],
    title: 'Request input evaluated as code',
    severity: 'critical',
    fix: 'Never eval or exec input; parse it (json.loads, ast.literal_eval) or map it to allowed operations.',
  },
  deserialization: {
    cwe: ['CWE-502'],
    title: 'Request input deserialized with an unsafe loader',
    severity: 'high',
    fix: 'Use a data-only format (json) or yaml.safe_load; never unpickle what a client sent.',
  },
  ldapi: {
    cwe: ['CWE-90'],
    title: 'LDAP filter built from request input',
    severity: 'high',
    fix: 'Escape values with ldap3.utils.conv.escape_filter_chars before they enter a filter.',
  },
  pathtraver: {
    cwe: ['CWE-22'],
    title: 'File path built from request input',
    severity: 'high',
    fix: 'Reduce the name to os.path.basename or check the resolved path stays inside its folder; prefer an allow-list of names.',
  },
  redirect: {
    cwe: ['CWE-601'],
    title: 'Redirect to a URL from request input',
    severity: 'medium',
    fix: 'Redirect only to relative paths or to hosts on an allow-list.',
  },
  sqli: {
    cwe: ['CWE-89'],
    title: 'SQL built from request input',
    severity: 'high',
    fix: 'Use a parameterised query: cursor.execute(sql, params) with placeholders, never string building.',
  },
  trustbound: {
    cwe: ['CWE-501'],
    title: 'Request input stored in the trusted session',
    severity: 'medium',
    fix: 'Validate the value (and never let input choose the key) before it joins the data the server trusts.',
  },
  xpathi: {
    cwe: ['CWE-643'],
    title: 'XPath expression built from request input',
    severity: 'high',
    fix: 'Pass input as an XPath variable (lxml: xpath(expr, name=value)) instead of building the expression.',
  },
  xss: {
    cwe: ['CWE-79'],
    title: 'Request input written into the response unescaped',
    severity: 'high',
    fix: 'Escape with html.escape or render through an autoescaping template.',
  },
  xxe: {
    cwe: ['CWE-611'],
    title: 'XML from request input parsed with external entities enabled',
    severity: 'high',
    fix: 'Leave external entities off (the default of xml.sax), or parse with defusedxml.',
  },
}

function findingOf(family: Family, flow: FlowStep[], path: string): EngineFinding {
  const facts = families[family]
  const source = flow[0]!
  const sink = flow.at(-1)!
  return {
    engine: 'code',
    rule_id: `py-taint-${family}`,
    severity: facts.severity,
    title: facts.title,
    message: `${facts.title}: input read on line ${source.line} reaches line ${sink.line}.`,
    cwe: facts.cwe,
    fix: facts.fix,
    identity: `${family}:${sink.snippet.replace(/\s+/g, ' ')}`,
    locations: [{ path, start_line: sink.line, end_line: sink.line, snippet: sink.snippet }],
    flow,
    metadata: { language: 'python', source_line: source.line, family },
  }
}

/**
 * What a command sink runs as a command line: a string is one (a shell parses it, or it names the
 * program), a list is arguments to a program and runs nothing else, unless that program is a shell
 * given `-c` (`['sh', '-c', f'echo {x}']`), whose next item is a command line again.
 */
function commandOf(value: Value): Value {
  if (!value.items) return value
  const [program, flag, ...rest] = value.items
  const shell = /(?:^|\/)(?:sh|bash|zsh|dash|cmd(?:\.exe)?|powershell(?:\.exe)?|pwsh)$/i.test(
    textOf(program ?? clean()) ?? '',
  )
  return shell && /^[-/]c$/i.test(textOf(flag ?? clean()) ?? '') ? union(rest) : clean()
}

/** The family of a sink call, by its callee (and, for yaml.load, the loader it is given). */
function sinkFamilyOf(name: string, text: string): Family | undefined {
  if (
    /^(?:os\.(?:system|popen|exec\w*|spawn\w*)|subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput))$/.test(
      name,
    )
  )
    return 'cmdi'
  if (/^(?:eval|exec|compile)$/.test(name)) return 'codeinj'
  if (
    /^(?:pickle|cPickle|_pickle|dill|marshal|shelve)\.loads?$|^jsonpickle\.decode$|^yaml\.unsafe_load(?:_all)?$/.test(
      name,
    )
  )
    return 'deserialization'
  if (/^yaml\.load(?:_all)?$/.test(name) && !/SafeLoader|BaseLoader|CSafeLoader/.test(text)) return 'deserialization'
  if (/\.search(?:_s|_st|_ext|_ext_s)?$/.test(name) && /conn|ldap|server|directory/i.test(name)) return 'ldapi'
  if (
    /^(?:open|io\.open|codecs\.open|os\.open|os\.remove|os\.unlink|os\.rmdir|os\.listdir|shutil\.\w+|(?:flask\.)?send_file|(?:flask\.)?send_from_directory|pathlib\.Path|Path)$/.test(
      name,
    )
  )
    return 'pathtraver'
  if (/^(?:flask\.)?redirect$|^(?:django\.shortcuts\.)?redirect$|^HttpResponseRedirect$|^RedirectResponse$/.test(name))
    return 'redirect'
  if (/\.(?:execute|executemany|executescript|raw)$/.test(name)) return 'sqli'
  if (/\.(?:xpath|findall|findtext|iterfind|evaluate)$|^(?:elementpath\.)?(?:select|iter_select)$|XPath$/.test(name))
    return 'xpathi'
  if (/^(?:flask\.)?(?:make_response|render_template_string|Response)$|^HttpResponse$|^Markup$/.test(name)) return 'xss'
  if (
    /(?:minidom\.parseString|minidom\.parse|sax\.parseString|sax\.parse|pulldom\.parseString|pulldom\.parse|etree\.fromstring|etree\.XML|etree\.parse)$/.test(
      name,
    )
  )
    return 'xxe'
  return undefined
}

/** Every function of a file, each with its own variables; route handlers answer HTTP with what they return. */
export function analyzePython(root: SgNode, path: string, text: string): EngineFinding[] {
  const context: Context = {
    path,
    lines: text.split('\n'),
    findings: [],
    unsafeParsers: new Set(),
    isHandler: false,
  }
  // A script's top level is a function too (`sys.argv` read and used there).
  context.unsafeParsers = unsafeParsersIn(root)
  new PythonTaint(context).run(root, new Map())
  for (const fn of root.findAll({ rule: { kind: 'function_definition' } })) {
    const body = fn.field('body')
    if (!body) continue
    const decorated = fn.parent()?.kind() === 'decorated_definition' ? fn.parent()!.text() : ''
    context.isHandler = /@\w*\.(?:route|get|post|put|patch|delete)\(/.test(decorated)
    context.unsafeParsers = unsafeParsersIn(body)
    new PythonTaint(context).run(body, new Map())
  }
  // One finding per sink line and family: several paths to one sink are one thing to fix.
  const seen = new Set<string>()
  return context.findings.filter((finding) => {
    const key = `${finding.rule_id}:${finding.locations[0]!.start_line}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** Parsers set up to resolve external entities: `p.setFeature(feature_external_ges, True)`, lxml's resolve_entities=True. */
function unsafeParsersIn(body: SgNode): Set<string> {
  const unsafe = new Set<string>()
  for (const call of body.findAll({ rule: { kind: 'call' } })) {
    const text = call.text()
    const callee = call.field('function')
    if (callee?.kind() !== 'attribute') continue
    if (/\.setFeature$/.test(callee.text()) && /feature_external_(?:ges|pes)\s*,\s*True/.test(text))
      unsafe.add(callee.field('object')!.text())
  }
  for (const assignment of body.findAll({ rule: { kind: 'assignment' } })) {
    const right = assignment.field('right')?.text() ?? ''
    if (
      /XMLParser\([^)]*resolve_entities\s*=\s*True/.test(right) ||
      /XMLParser\([^)]*no_network\s*=\s*False/.test(right)
    )
      unsafe.add(assignment.field('left')!.text())
  }
  return unsafe
}
