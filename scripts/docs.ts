// npm run docs: regenerates docs/errors.md and docs/openapi.json from the code.
import { writeFileSync } from 'node:fs'
import { errorCatalogueMarkdown } from '../shared/http/catalogue.js'
import { buildOpenApi } from '../shared/openapi/document.js'

writeFileSync('docs/errors.md', errorCatalogueMarkdown())
writeFileSync('docs/openapi.json', `${JSON.stringify(buildOpenApi(), null, 2)}\n`)
console.log('wrote docs/errors.md and docs/openapi.json')
