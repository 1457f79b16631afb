/** The media type of a `Content-Type` value: `type/subtype`, lower case, without parameters (`charset`…). */
export function mediaType(contentType: string): string {
  const end = contentType.indexOf(';')
  return (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase()
}
