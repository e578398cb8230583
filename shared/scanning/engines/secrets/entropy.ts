// Shannon entropy in bits per character: how far a string is from a word or a placeholder. Random
// base62 sits near 5 for long strings, hex near 4, `password123` near 3.3, `xxxxxxxx` at 0.

export function shannonEntropy(value: string): number {
  if (!value) return 0
  const counts = new Map<string, number>()
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1)
  const length = [...value].length
  let bits = 0
  for (const count of counts.values()) {
    const p = count / length
    bits -= p * Math.log2(p)
  }
  return bits
}
