// CycloneDX's own JSON schema for BOMs of spec 1.6 (shipped with @cyclonedx/cyclonedx-library), with the
// SPDX and JSF schemas it refers to, compiled once with Ajv's draft-07 validator.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'

const schemas = join(
  dirname(createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-library/package.json')),
  'res',
  'schema',
)
const read = (name: string) => JSON.parse(readFileSync(join(schemas, name), 'utf8'))
const ajv = new Ajv({ allErrors: true, strict: false })
;(addFormats as unknown as (instance: Ajv) => void)(ajv)
// The BOM schema names its neighbours by file name (`spdx.SNAPSHOT.schema.json`), not by their `$id`.
for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
  const { $id: _id, ...schema } = read(name)
  ajv.addSchema(schema, `http://cyclonedx.org/schema/${name}`)
}

export const validateCycloneDx16 = ajv.compile(read('bom-1.6.SNAPSHOT.schema.json'))
