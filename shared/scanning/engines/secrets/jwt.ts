// A JSON Web Token's shape, as the secret rules judge it: decodable parts and a real signature.

function decodesToJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** A JWT worth reporting: header and payload decode to JSON and it is signed (alg `none` proves nothing). */
export function isSignedJwt(token: string): boolean {
  const [header, payload, signature] = token.split('.')
  const alg = decodesToJson(header ?? '')?.alg
  return typeof alg === 'string' && alg.toLowerCase() !== 'none' && !!decodesToJson(payload ?? '') && !!signature
}
