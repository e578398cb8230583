import { describe, expect, it } from 'vitest'
import { Literals } from '../../shared/scanning/engines/secrets/literals.js'
import { keywordsOf } from '../../shared/scanning/engines/secrets/matcher.js'
import { rules } from '../../shared/scanning/engines/secrets/rules.js'
import { flagsSecretlint, secretlintWords } from '../../shared/scanning/engines/secrets/secretlint-layer.js'

/** What the scanner must answer: every word the lowercased text holds. */
const naive = (words: readonly string[], text: string) =>
  new Set(words.filter((word) => text.toLowerCase().includes(word.toLowerCase())))

describe('Literals', () => {
  it('finds overlapping, nested and repeated words, ignoring case', () => {
    const literals = new Literals(['pass', 'password', 'word', 'sword', 'ass', 'key', 'apikey', '://', '@'])
    expect(literals.in('PassWord')).toEqual(new Set(['pass', 'password', 'word', 'sword', 'ass']))
    expect(literals.in('my_APIKEY=x')).toEqual(new Set(['apikey', 'key']))
    expect(literals.in('passwor')).toEqual(new Set(['pass', 'ass']))
    expect(literals.in('see https://a@b and again https://')).toEqual(new Set(['://', '@']))
    expect(literals.in('')).toEqual(new Set())
  })

  it('answers what a search of the lowercased text for each word would, on random texts', () => {
    // A small alphabet makes words overlap and straddle each other often.
    const words = ['ab', 'abc', 'bca', 'cab', 'a', 'ccc', 'b.c', 'ba_', 'cabab', 'x']
    const literals = new Literals(words)
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    const alphabet = 'abcABC._x-é'
    for (let round = 0; round < 2000; round++) {
      const text = Array.from({ length: random(30) }, () => alphabet[random(alphabet.length)]).join('')
      expect(literals.in(text), text).toEqual(naive(words, text))
    }
  })

  it('takes the characters outside ASCII that lowercase into a word (the Kelvin sign is a k)', () => {
    const literals = new Literals(['key', 'id'])
    expect(literals.in('\u212Aey')).toEqual(new Set(['key']))
    expect(literals.in('\u0130d')).toEqual(new Set(['id']))
    expect(literals.in('kéy')).toEqual(new Set())
  })

  it('refuses an empty word or one outside ASCII', () => {
    expect(() => new Literals([''])).toThrow(/empty/)
    expect(() => new Literals(['clé'])).toThrow(/not ASCII/)
  })

  it("holds every rule keyword and secretlint's words", () => {
    const words = [...keywordsOf(rules), ...secretlintWords, '://']
    const text = `const DB_PASSWORD = "x"; // see https://example.com, token AKIA, ${secretlintWords.join(' ')}`
    expect(new Literals(words).in(text)).toEqual(naive(words, text))
  })
})

describe('flagsSecretlint', () => {
  const words = new Literals([...secretlintWords, '://'])
  const flags = (text: string) => flagsSecretlint(text, words.in(text))

  it("flags a file holding one of secretlint's words in any case, or credentials in a URL", () => {
    expect(flags('const key = "HVS.abc"')).toBe(true)
    expect(flags('token: T3BLBKFJ')).toBe(true)
    expect(flags('git clone https://user:hunter22@example.com/repo')).toBe(true)
  })

  it('passes over a file with neither', () => {
    expect(flags('see https://example.com/docs and mail me@example.com')).toBe(false)
    expect(flags('const x = 1')).toBe(false)
  })
})
