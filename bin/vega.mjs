#!/usr/bin/env node
// `npx vega`: the CLI's TypeScript runs through tsx, on whatever Node is on PATH (18 or later).
import { register } from 'tsx/esm/api'

register()
await import('../cli/main.ts')
