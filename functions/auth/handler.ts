import { type Handlers, lambda } from '../../shared/api/lambda.js'
import { login, logout, me, refresh, setPassword } from '../../shared/auth/accounts.js'
import { authRoutes } from '../../shared/routes/auth.js'

export const handler = lambda(authRoutes, {
  login: ({ body, sourceIp }) => login(body.email, body.password, sourceIp),
  refreshSession: ({ body }) => refresh(body.refresh_token),
  logout: async ({ actor }) => {
    await logout(actor)
  },
  getMe: ({ actor }) => me(actor),
  setPassword: async ({ body, actor }) => {
    await setPassword(body, actor)
  },
} satisfies Handlers<typeof authRoutes>)
