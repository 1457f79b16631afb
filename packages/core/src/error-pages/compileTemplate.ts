import { optionError } from '../errors/optionError.js'
import { escapeHtml } from './escapeHtml.js'

/** The placeholders an error page template may use. */
export const TEMPLATE_PLACEHOLDERS = ['status', 'title', 'detail', 'requestId', 'time', 'code'] as const

/** A placeholder name. */
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number]

/** The values a template is filled with (raw text: it is escaped when filled in). */
export type TemplateValues = Readonly<Record<TemplatePlaceholder, string>>

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g
const KNOWN: ReadonlySet<string> = new Set(TEMPLATE_PLACEHOLDERS)

/**
 * Parse an HTML template once, at setup: `{{name}}` placeholders (spaces inside the braces allowed)
 * become HTML-escaped values. An unknown placeholder throws a `TypeError` naming the option.
 */
export function compileTemplate(template: string, option: string): (values: TemplateValues) => string {
  const literals: string[] = []
  const names: TemplatePlaceholder[] = []
  let last = 0
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] as string
    if (!KNOWN.has(name)) {
      throw optionError(
        option,
        `placeholders among ${TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
        match[0],
      )
    }
    literals.push(template.slice(last, match.index))
    names.push(name as TemplatePlaceholder)
    last = match.index + match[0].length
  }
  literals.push(template.slice(last))
  return (values) => {
    let html = literals[0] as string
    for (let i = 0; i < names.length; i++) html += escapeHtml(values[names[i] as TemplatePlaceholder]) + literals[i + 1]
    return html
  }
}
