/**
 * A seeded generator of malformed upstream responses, for fuzzing the gateway's response handling.
 * Every case is a byte string the upstream writes before closing (or resetting) the connection, and
 * what a correct gateway may present as a complete response for it.
 */

/** One fuzz case. */
export interface FuzzCase {
  /** Which generator made it. */
  readonly kind: string
  /** The bytes the upstream writes. */
  readonly bytes: Buffer
  /** How the upstream ends the connection after writing. */
  readonly end: 'fin' | 'reset'
  /**
   * The body a client may receive as complete: for a truncated valid response, only the whole
   * original body; `undefined` when any parseable outcome is acceptable (but never a hang).
   */
  readonly completeBody: Buffer | undefined
}

/** mulberry32: a small, fast, seeded PRNG. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const BODY = Buffer.from('{"ok":true,"items":[1,2,3],"note":"a body long enough to cut in many places"}')
const CL_RESPONSE = Buffer.concat([
  Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\n\r\n`),
  BODY,
])
const CHUNKED_RESPONSE = Buffer.from(
  `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n` +
    `10\r\n${BODY.subarray(0, 16).toString('latin1')}\r\n` +
    `${(BODY.length - 16).toString(16)}\r\n${BODY.subarray(16).toString('latin1')}\r\n0\r\n\r\n`,
  'latin1',
)

/** The generators, each from a PRNG to one case. */
const GENERATORS: ReadonlyArray<readonly [string, (random: () => number, turn: number) => FuzzCase]> = [
  ['random bytes', (random) => loose('random bytes', bytes(random, 1 + Math.floor(random() * 300)), random)],
  [
    'valid status line, then garbage',
    (random) =>
      loose(
        'valid status line, then garbage',
        Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n'), bytes(random, 1 + Math.floor(random() * 200))]),
        random,
      ),
  ],
  [
    'conflicting Content-Length and Transfer-Encoding',
    (random) =>
      loose(
        'conflicting Content-Length and Transfer-Encoding',
        Buffer.from(
          `HTTP/1.1 200 OK\r\ncontent-length: ${Math.floor(random() * 50)}\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
        ),
        random,
      ),
  ],
  [
    'two different Content-Length values',
    (random) =>
      loose(
        'two different Content-Length values',
        Buffer.from(
          `HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: ${6 + Math.floor(random() * 9)}\r\n\r\nhello world!!`,
        ),
        random,
      ),
  ],
  [
    'bad chunk size',
    (random) =>
      loose(
        'bad chunk size',
        Buffer.from(
          `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${['zz', '-5', '0x10', 'ffffffffffffffffff', '5;', ' 5'][Math.floor(random() * 6)]}\r\nhello\r\n0\r\n\r\n`,
        ),
        random,
      ),
  ],
  [
    'oversized header section',
    (random) =>
      loose(
        'oversized header section',
        Buffer.from(
          `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(20_000 + Math.floor(random() * 60_000))}\r\ncontent-length: 0\r\n\r\n`,
        ),
        random,
      ),
  ],
  [
    'NUL, CR or LF inside a header value',
    (random) =>
      loose(
        'NUL, CR or LF inside a header value',
        Buffer.concat([
          Buffer.from('HTTP/1.1 200 OK\r\nx-evil: a'),
          Buffer.from([[0x00], [0x0d], [0x0a], [0x0d, 0x20], [0x7f]][Math.floor(random() * 5)] as number[]),
          Buffer.from('b\r\ncontent-length: 2\r\n\r\nok'),
        ]),
        random,
      ),
  ],
  ['early close of a Content-Length response', (random, turn) => truncated(CL_RESPONSE, random, turn)],
  ['early close of a chunked response', (random, turn) => truncated(CHUNKED_RESPONSE, random, turn)],
]

/** `count` cases from `seed`, the generators taking turns. */
export function fuzzCases(seed: number, count: number): FuzzCase[] {
  const random = seededRandom(seed)
  const cases: FuzzCase[] = []
  for (let i = 0; i < count; i++) {
    const [, generate] = GENERATORS[i % GENERATORS.length] as (typeof GENERATORS)[number]
    cases.push(generate(random, Math.floor(i / GENERATORS.length)))
  }
  return cases
}

function loose(kind: string, data: Buffer, random: () => number): FuzzCase {
  return { kind, bytes: data, end: random() < 0.5 ? 'fin' : 'reset', completeBody: undefined }
}

function truncated(response: Buffer, random: () => number, turn: number): FuzzCase {
  // each turn cuts one byte later: every offset from nothing to everything but the last byte
  const at = turn % response.length
  return {
    kind: response === CL_RESPONSE ? 'early close of a Content-Length response' : 'early close of a chunked response',
    bytes: response.subarray(0, at),
    end: random() < 0.5 ? 'fin' : 'reset',
    completeBody: BODY,
  }
}

function bytes(random: () => number, length: number): Buffer {
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256)
  return out
}
