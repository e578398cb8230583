// Imports point down. The layer order is written once, in shared/README.md (the ```layers block); this
// file turns it into rules, so the README and the check cannot drift. `npm run lint` runs it.
const { readFileSync } = require('node:fs')
const { join } = require('node:path')

const readme = readFileSync(join(__dirname, 'shared/README.md'), 'utf8')
const block = /```layers\n([\s\S]*?)```/.exec(readme)
if (!block) throw new Error('shared/README.md has no ```layers block')

// One line per layer, highest first: folder names under shared/ up to two spaces, then a description.
// `(root)` is the files directly in shared/.
const layers = block[1]
  .split('\n')
  .map((line) => line.split(/\s{2,}/)[0].trim())
  .filter(Boolean)
  .map((names) => names.split(/\s+/))

const escapeRegex = (name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const pathOf = (name) => (name === '(root)' ? '^shared/[^/]+$' : `^shared/${escapeRegex(name)}/`)

const layerRules = layers.flatMap((names, index) => {
  const above = layers.slice(0, index).flat()
  return names.map((name) => {
    const sameLayer = names.filter((other) => other !== name)
    return {
      name: `layer:${name}`,
      comment: `shared/${name} may import only the layers below it (shared/README.md): not ${[...above, ...sameLayer].join(', ')}`,
      severity: 'error',
      from: { path: pathOf(name) },
      to: { path: [...above, ...sameLayer].map(pathOf) },
    }
  })
})

const listed = new Set(layers.flat())

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one: merge them, or move what both need below them.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-test',
      comment: 'Only tests import test/: bench/, scripts/ and proof/ build on shared/ and infra/ instead.',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'shared-not-to-entry-points',
      comment: 'shared/ is what the entry points share; it never imports one of them.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(functions|infra|scripts|bench|proof|test|cli)/' },
    },
    {
      name: 'cli-public-api-only',
      comment: 'The CLI talks to Vega through the public API (cli/client.ts), never through its code.',
      severity: 'error',
      from: { path: '^(cli|bin)/' },
      to: { path: '^(shared|functions|infra|scripts|bench|proof)/' },
    },
    {
      name: 'no-function-to-function',
      comment: 'A Lambda imports only shared/, never another function (functions/README.md).',
      severity: 'error',
      from: { path: '^functions/([^/]+)/' },
      to: { path: '^functions/', pathNot: '^functions/$1/' },
    },
    {
      name: 'runtime-not-to-dev-dependencies',
      comment: 'What a Lambda bundles (shared/, functions/) uses runtime dependencies only.',
      severity: 'error',
      from: { path: '^(shared|functions)/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'zod-through-shared-zod',
      comment:
        'What a Lambda bundles takes zod from shared/zod.ts: zod/mini with its English messages, imported so a bundle ' +
        'keeps only what it uses (classic zod is 450 KB and 100 ms of cold start).',
      severity: 'error',
      from: {
        path: '^(shared|functions)/',
        pathNot: ['^shared/zod\\.ts$'],
      },
      to: { path: '^node_modules/zod/' },
    },
    {
      name: 'every-folder-in-a-layer',
      comment: 'A new folder under shared/ gets its place in the ```layers block of shared/README.md.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^shared/[^/]+/', pathNot: [...listed].filter((name) => name !== '(root)').map(pathOf) },
    },
    ...layerRules,
  ],
  options: {
    // TypeScript 7 has no JavaScript API yet, so swc parses the sources; type-only imports count too.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    // Packages stay out of the graph, but for zod: the rule zod-through-shared-zod looks at who imports it.
    exclude: { path: '(^|/)node_modules/(?!zod/)' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
}
