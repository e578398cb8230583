// Resolves a method and a path against the route table the way API Gateway resolves resources:
// static segments win over {param} segments, then the method is looked up on the resource found.
import { badRequest } from '../http/errors.js'
import type { Method, RouteSpec, RouteTable } from './route.js'

export type Resolution =
  | { kind: 'route'; routeId: string; spec: RouteSpec; resource: string; params: Record<string, string> }
  | { kind: 'method_not_allowed'; resource: string; allow: Method[]; spec: RouteSpec }
  | { kind: 'not_found' }

interface Node {
  literal: Map<string, Node>
  param?: { name: string; node: Node }
  resource?: string
  methods: Map<string, { routeId: string; spec: RouteSpec }>
}

const newNode = (): Node => ({ literal: new Map(), methods: new Map() })

export function createMatcher(table: RouteTable) {
  const root = newNode()
  for (const [routeId, spec] of Object.entries(table)) {
    let node = root
    for (const segment of spec.path.split('/').slice(1)) {
      const param = /^\{(\w+)\}$/.exec(segment)?.[1]
      if (param) {
        node.param ??= { name: param, node: newNode() }
        if (node.param.name !== param) throw new Error(`${spec.path}: {${param}} clashes with {${node.param.name}}`)
        node = node.param.node
      } else {
        node = node.literal.get(segment) ?? node.literal.set(segment, newNode()).get(segment)!
      }
    }
    if (node.methods.has(spec.method)) throw new Error(`Two routes for ${spec.method} ${spec.path}`)
    node.resource = spec.path
    node.methods.set(spec.method, { routeId, spec })
  }

  function find(node: Node, segments: string[], at: number, params: Record<string, string>): Node | undefined {
    if (at === segments.length) return node.resource ? node : undefined
    const segment = segments[at]!
    const literal = node.literal.get(segment)
    const found = literal && find(literal, segments, at + 1, params)
    if (found) return found
    if (!node.param || segment === '') return undefined
    const deeper = find(node.param.node, segments, at + 1, params)
    if (deeper) params[node.param.name] = decodeSegment(segment)
    return deeper
  }

  return function resolve(method: string, path: string): Resolution {
    const params: Record<string, string> = {}
    const node = find(root, path.split('/').slice(1), 0, params)
    if (!node?.resource) return { kind: 'not_found' }
    const hit = node.methods.get(method.toUpperCase())
    if (hit) return { kind: 'route', routeId: hit.routeId, spec: hit.spec, resource: node.resource, params }
    const allow = [...node.methods.keys()] as Method[]
    return { kind: 'method_not_allowed', resource: node.resource, allow, spec: node.methods.get(allow[0]!)!.spec }
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw badRequest('The path is not valid percent-encoding')
  }
}
