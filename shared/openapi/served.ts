// The OpenAPI document the docs function serves. `npm run docs` generates it from the route table into
// docs/openapi.json (a test fails when it differs from what the code describes), and the docs function's
// asset carries that file beside its bundle (infra/aws/constructs/api.ts). Serving the file, where the
// function used to build the document at cold start, keeps every group's schemas and zod-openapi out of
// the docs bundle.
import { readFile } from 'node:fs/promises'

const locations = [
  new URL('openapi.json', import.meta.url), // in Lambda: beside index.mjs
  new URL('../../docs/openapi.json', import.meta.url), // from source (npm start, tests): the repository's copy
]

let served: Promise<string> | undefined

/** The document as compact JSON, read once per cold start (a failed read is tried again next time). */
export function openApiJson(): Promise<string> {
  served ??= read().catch((error) => {
    served = undefined
    throw error
  })
  return served
}

async function read(): Promise<string> {
  for (const location of locations) {
    const text = await readFile(location, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw error
    })
    if (text !== undefined) return JSON.stringify(JSON.parse(text))
  }
  throw new Error('docs/openapi.json is missing beside the bundle: the docs function ships it (npm run docs makes it)')
}
