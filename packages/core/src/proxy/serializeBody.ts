import { mediaType } from '../http/mediaType.js'

/** A serializer of parsed bodies: their bytes, or `undefined` when the value cannot be written back faithfully. */
type Serializer = (value: unknown) => Buffer | undefined

/** JSON: what `JSON.parse` made, written back (whitespace and numbers beyond 2^53 may differ). */
const serializeJson: Serializer = (value) => {
  if (value === undefined) return undefined
  const text = JSON.stringify(value)
  return text === undefined ? undefined : Buffer.from(text, 'utf8')
}

/**
 * A flat form (`a=1&b=2`): every value a string. A nested value (what qs makes of `a[b]=1`, or of a
 * repeated `a=1&a=2`) cannot be written back as it arrived, so it is refused rather than guessed.
 */
const serializeForm: Serializer = (value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const form = new URLSearchParams()
  for (const [name, field] of Object.entries(value)) {
    if (typeof field !== 'string') return undefined
    form.append(name, field)
  }
  return Buffer.from(form.toString(), 'latin1')
}

/** The serializer for each media type a parsed body may be written back as; multipart is never one. */
const SERIALIZERS: ReadonlyMap<string, Serializer> = new Map([
  ['application/json', serializeJson],
  ['application/x-www-form-urlencoded', serializeForm],
])

/**
 * A parsed request body written back by its `Content-Type`: JSON (`application/json` and
 * `application/*+json`) with `JSON.stringify`, a flat `application/x-www-form-urlencoded` form with
 * `URLSearchParams`. `undefined` for any other type, or a value its serializer refuses.
 */
export function serializeBody(contentType: string | undefined, value: unknown): Buffer | undefined {
  if (contentType === undefined) return undefined
  const type = mediaType(contentType)
  const serializer =
    SERIALIZERS.get(type) ?? (type.startsWith('application/') && type.endsWith('+json') ? serializeJson : undefined)
  return serializer?.(value)
}
