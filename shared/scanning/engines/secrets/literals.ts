// Which of a set of words a text holds, ignoring case, in one pass over it: an Aho–Corasick automaton
// over the words' characters, as a flat table. The secrets engine asks this of every blob (the rules'
// ~120 keywords, secretlint's trigger words) before any regex runs; a regex of ~120 alternatives tried at
// every position, on a lowercased copy, took a quarter of the engine's time.
// Written here rather than taken from npm: the libraries (modern-ahocorasick) list every occurrence, with
// its position, case-sensitively; the engine needs only which words are present, and most blobs hold
// `@`, `key` or `://` thousands of times.

export class Literals {
  /** The words, lowercase, as given (ids are their indexes). */
  readonly words: readonly string[]
  /** Character class of each UTF-16 code unit below 128: 0 for a character no word holds. */
  private readonly classOf = new Uint8Array(128)
  private readonly classes: number
  /** A state is its row's offset; next = delta[state + class], failure links already followed. */
  private readonly delta: Int32Array
  /** 1 at the offset of a state where a word ends. */
  private readonly ending: Uint8Array
  /** Words ending at each state (through its failure links), or undefined. */
  private readonly found: (readonly number[] | undefined)[]

  constructor(words: Iterable<string>) {
    this.words = [...new Set([...words].map((word) => word.toLowerCase()))]
    for (const word of this.words) {
      if (!word) throw new Error('a literal is empty')
      for (const char of word) {
        const code = char.charCodeAt(0)
        // Folding a text's case maps no character outside ASCII onto an ASCII one but these two (below).
        if (code >= 128) throw new Error(`literal ${JSON.stringify(word)} is not ASCII`)
        if (!this.classOf[code]) this.classOf[code] = this.classOf.reduce((max, c) => Math.max(max, c), 0) + 1
      }
    }
    for (let code = 65; code <= 90; code++) this.classOf[code] = this.classOf[code + 32]!
    this.classes = this.classOf.reduce((max, c) => Math.max(max, c), 0) + 1

    // The trie, then breadth-first failure links folded into a complete transition table.
    const goto: Map<number, number>[] = [new Map()]
    const ends: number[][] = [[]]
    this.words.forEach((word, id) => {
      let state = 0
      for (const char of word) {
        const cls = this.classOf[char.charCodeAt(0)]!
        let next = goto[state]!.get(cls)
        if (next === undefined) {
          next = goto.length
          goto.push(new Map())
          ends.push([])
          goto[state]!.set(cls, next)
        }
        state = next
      }
      ends[state]!.push(id)
    })
    const delta = new Int32Array(goto.length * this.classes)
    const fail = new Int32Array(goto.length)
    const queue: number[] = []
    for (const [cls, next] of goto[0]!) {
      delta[cls] = next
      queue.push(next)
    }
    for (let at = 0; at < queue.length; at++) {
      const state = queue[at]!
      ends[state]!.push(...ends[fail[state]!]!)
      for (let cls = 0; cls < this.classes; cls++) {
        const next = goto[state]!.get(cls)
        if (next === undefined) delta[state * this.classes + cls] = delta[fail[state]! * this.classes + cls]!
        else {
          fail[next] = delta[fail[state]! * this.classes + cls]!
          delta[state * this.classes + cls] = next
          queue.push(next)
        }
      }
    }
    // States as their rows' offsets, so the scan's step is one load.
    for (let at = 0; at < delta.length; at++) delta[at]! *= this.classes
    this.delta = delta
    this.ending = new Uint8Array(goto.length * this.classes)
    this.found = ends.map((list, state) => {
      if (!list.length) return undefined
      this.ending[state * this.classes] = 1
      return [...new Set(list)]
    })
  }

  /**
   * The words the text holds, as `String#toLowerCase` would show them (the Kelvin sign is a `k`, a dotted
   * capital I an `i`).
   */
  in(text: string): Set<string> {
    const { classOf, classes, delta, ending, found, words } = this
    const kelvin = classOf[107]!
    const dottedI = classOf[105]!
    const present = new Set<string>()
    const seen = new Uint8Array(words.length)
    let state = 0
    for (let at = 0; at < text.length; at++) {
      const code = text.charCodeAt(at)
      const cls = code < 128 ? classOf[code]! : code === 0x212a ? kelvin : code === 0x130 ? dottedI : 0
      state = delta[state + cls]!
      if (ending[state])
        for (const id of found[state / classes]!)
          if (!seen[id]) {
            seen[id] = 1
            present.add(words[id]!)
          }
    }
    return present
  }
}
