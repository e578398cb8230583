// The official SARIF 2.1.0 schema (test/fixtures/sarif), compiled once with Ajv's draft 2020-12 validator.
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif/sarif-2.1.0.json', import.meta.url), 'utf8'))
const ajv = new Ajv2020({ allErrors: true, strict: false })
;(addFormats as unknown as (instance: Ajv2020) => void)(ajv)

export const validateSarif = ajv.compile(schema)
