// How each package of a lockfile's graph got there: walking breadth first from the packages the project asks
// for itself (its direct dependencies), each package reached is credited to the first direct dependency
// whose tree brings it in, and is `runtime` when any runtime dependency's tree does, else `dev`.
import type { DependencyScope } from '../types.js'

export interface LockGraph<K> {
  /** The project's own dependencies: the package each resolves to, its name, and whether it is for development. */
  roots: { node: K; name: string; dev: boolean }[]
  /** The packages one package depends on, as resolved by the lockfile (unknown ones left out). */
  childrenOf(node: K): Iterable<K>
}

export interface WayIn {
  /** The direct dependency that brings the package in (for a direct one, its own name). */
  via: string
  scope: DependencyScope
}

export function waysIn<K>(graph: LockGraph<K>): Map<K, WayIn> {
  const found = new Map<K, WayIn>()
  // Runtime roots first: a package any runtime dependency needs is a runtime package, whatever else needs it.
  for (const scope of ['runtime', 'dev'] as const) {
    const queue: K[] = []
    for (const root of graph.roots)
      if ((root.dev ? 'dev' : 'runtime') === scope && !found.has(root.node)) {
        found.set(root.node, { via: root.name, scope })
        queue.push(root.node)
      }
    for (let next = 0; next < queue.length; next++) {
      const node = queue[next]!
      for (const child of graph.childrenOf(node))
        if (!found.has(child)) {
          found.set(child, { via: found.get(node)!.via, scope })
          queue.push(child)
        }
    }
  }
  return found
}
