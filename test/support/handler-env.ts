// Points the handlers of every test file at the shared emulators, as the local stack does at start.
import { inject } from 'vitest'
import { handlerEnvironment } from '../../infra/local/stack.js'

Object.assign(
  process.env,
  handlerEnvironment('test', inject('endpoints'), inject('resources'), inject('jwtSecretFile')),
  // One dashboard origin, so the CORS answers can be tested.
  { CORS_ALLOWED_ORIGINS: 'https://dashboard.example.com' },
)
