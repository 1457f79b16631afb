import { describe, expect, it } from 'vitest'
import { compileTemplate, type TemplateValues } from '~core/error-pages/compileTemplate.js'
import { escapeHtml } from '~core/error-pages/escapeHtml.js'

const values: TemplateValues = {
  status: '502',
  title: 'Bad Gateway',
  detail: 'A <b>"quoted"</b> & \'odd\' detail',
  requestId: 'r-1',
  time: '2026-11-25T12:00:00Z',
  code: 'connection_refused',
}

describe('compileTemplate', () => {
  it('fills every placeholder, spaces inside the braces allowed', () => {
    const render = compileTemplate('{{status}}|{{ title }}|{{requestId}}|{{time}}|{{code}}', 'errorPages.502')
    expect(render(values)).toBe('502|Bad Gateway|r-1|2026-11-25T12:00:00Z|connection_refused')
  })

  it('escapes values for element content and attributes', () => {
    const render = compileTemplate('<p title="{{detail}}">{{detail}}</p>', 'errorPages.502')
    expect(render(values)).toBe(
      '<p title="A &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &amp; &#39;odd&#39; detail">A &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &amp; &#39;odd&#39; detail</p>',
    )
  })

  it('keeps the template’s own text as written, repeated placeholders included', () => {
    const render = compileTemplate('<style>a{b:c}</style>{{code}}{{code}} {single} {{', 'errorPages.502')
    expect(render(values)).toBe('<style>a{b:c}</style>connection_refusedconnection_refused {single} {{')
  })

  it('a template without placeholders is returned as is', () => {
    expect(compileTemplate('<h1>Down</h1>', 'x')(values)).toBe('<h1>Down</h1>')
  })

  it('an unknown placeholder throws at setup, naming the option and the placeholders', () => {
    expect(() => compileTemplate('<p>{{requestID}}</p>', 'errorPages.504')).toThrow(
      /option "errorPages\.504" expected placeholders among \{\{status\}\}, .*got "\{\{requestID\}\}"/,
    )
  })
})

describe('escapeHtml', () => {
  it('escapes the five special characters and nothing else', () => {
    expect(escapeHtml(`<a href="x">'&'</a> ✓`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt; ✓')
  })
})
