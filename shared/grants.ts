// What a caller can be granted, declared once: the workspace roles (strongest first) and the scopes an
// API key carries. Types and zod enums (routes/schemas/) derive from these lists.

/** The workspace roles, strongest first. */
export const roles = ['owner', 'admin', 'member', 'viewer'] as const
export type Role = (typeof roles)[number]

/** What an API key must carry to call a route (DESIGN.md "Authentication and tenancy"). */
export const scopes = ['read', 'write', 'upload', 'triage', 'billing', 'ops'] as const
export type Scope = (typeof scopes)[number]
