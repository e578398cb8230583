// Sign-in, sessions and passwords (DESIGN.md "Authentication and tenancy").
import { route } from './route.js'
import { Login, Refresh, SetPassword, Tokens, User } from './schemas/auth.js'

export const authRoutes = {
  login: route({
    group: 'auth',
    method: 'POST',
    path: '/v1/auth/login',
    summary: 'Exchange email and password for an access token and a refresh token',
    auth: 'none',
    body: Login,
    ok: Tokens,
    errors: ['unauthorized', 'rate_limited'],
  }),
  refreshSession: route({
    group: 'auth',
    method: 'POST',
    path: '/v1/auth/refresh',
    summary: 'Rotate a refresh token; reusing a rotated one revokes the whole session',
    auth: 'none',
    body: Refresh,
    ok: Tokens,
    errors: ['unauthorized'],
  }),
  logout: route({
    group: 'auth',
    method: 'POST',
    path: '/v1/auth/logout',
    summary: 'Revoke the current session',
    auth: 'user',
    apiKeys: false,
    status: 204,
  }),
  getMe: route({
    group: 'auth',
    method: 'GET',
    path: '/v1/auth/me',
    summary: 'The caller, their memberships and how they authenticated',
    auth: 'user',
    ok: User,
  }),
  setPassword: route({
    group: 'auth',
    method: 'POST',
    path: '/v1/auth/password',
    summary: 'Set a password with a one-time setup token, or change it with the old one (signed in)',
    auth: 'optional',
    body: SetPassword,
    status: 204,
    errors: ['unauthorized'],
  }),
} as const
