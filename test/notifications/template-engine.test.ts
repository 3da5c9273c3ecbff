import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BODIES,
  EMAIL_SUBJECT,
  TEMPLATE_CHANNELS,
} from '../../src/notifications/default-template.ts';
import { sampleIncident, TEMPLATE_FIELDS, templateData } from '../../src/notifications/template-data.ts';
import {
  MAX_NESTING,
  parseTemplate,
  renderTemplate,
  TemplateError,
} from '../../src/notifications/template-engine.ts';

const data = {
  Title: 'CPU high',
  Severity: 'Critical',
  Count: 3,
  Zero: 0,
  Labels: { host: 'web-1', service: 'web', 'with-dash': 'x' },
  Responders: [
    { PersonName: 'Alice', Email: 'a@x' },
    { PersonName: 'Bob', Email: '' },
  ],
  Empty: [],
  Start: Date.UTC(2026, 0, 5, 9, 30, 15) / 1000,
};

function errorOf(source: string, fields?: ReadonlySet<string>): TemplateError {
  try {
    parseTemplate(source, fields ? { fields } : {});
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error(`${source} parsed`);
}

describe('template engine: Go text/template subset', () => {
  it.each([
    ['plain text', 'hello', 'hello'],
    ['field', '{{.Title}}', 'CPU high'],
    ['label', '{{.Labels.host}}', 'web-1'],
    ['missing label prints nothing', '[{{.Labels.nope}}]', '[]'],
    ['index with a key that is not an identifier', '{{index .Labels "with-dash"}}', 'x'],
    ['if true', '{{if .Title}}yes{{end}}', 'yes'],
    ['if zero is false', '{{if .Zero}}yes{{else}}no{{end}}', 'no'],
    ['else if', '{{if eq .Severity "Warning"}}W{{else if eq .Severity "Critical"}}C{{else}}?{{end}}', 'C'],
    ['eq with several values', '{{if eq .Severity "Info" "Critical"}}hit{{end}}', 'hit'],
    ['ne, not, and, or', '{{if and (ne .Count 2) (not .Zero) (or .Zero .Title)}}ok{{end}}', 'ok'],
    ['lt/ge on numbers', '{{if lt .Zero .Count}}a{{end}}{{if ge .Count 3}}b{{end}}', 'ab'],
    ['range over a list', '{{range .Responders}}{{.PersonName}};{{end}}', 'Alice;Bob;'],
    [
      'range with index and value',
      '{{range $i, $r := .Responders}}{{$i}}={{$r.PersonName}} {{end}}',
      '0=Alice 1=Bob ',
    ],
    [
      'range over a map is in key order',
      '{{range $k, $v := .Labels}}{{$k}}:{{$v}},{{end}}',
      'host:web-1,service:web,with-dash:x,',
    ],
    ['range else', '{{range .Empty}}x{{else}}none{{end}}', 'none'],
    ['$ inside range', '{{range .Responders}}{{$.Title}}|{{end}}', 'CPU high|CPU high|'],
    ['with', '{{with .Labels}}{{.host}}{{end}}', 'web-1'],
    ['with else', '{{with .Labels.nope}}x{{else}}empty{{end}}', 'empty'],
    ['variable', '{{$t := .Title}}{{$t}}!', 'CPU high!'],
    ['pipe', '{{.Title | upper}}', 'CPU HIGH'],
    ['pipe into default', '{{.Labels.nope | default "n/a"}}', 'n/a'],
    ['len', '{{len .Responders}} {{len .Labels}} {{len .Title}}', '2 3 8'],
    [
      'printf',
      '{{printf "%s has %d alerts (%5.1f%%)" .Title .Count 12.345}}',
      'CPU high has 3 alerts ( 12.3%)',
    ],
    ['join', '{{join ", " (list_names)}}', ''],
    ['trim markers', 'a  {{- .Title -}}  b', 'aCPU highb'],
    ['comments', 'a{{/* note */}}b{{- /* trimmed */ -}} c', 'abc'],
    ['string with braces', '{{"}}"}}', '}}'],
    ['raw string', '{{`a"b`}}', 'a"b'],
    ['print of a list', '{{.Empty}}{{index .Responders 1 | len}}', '[]2'],
    ['date in UTC', '{{date "2006-01-02 15:04:05 MST" .Start}}', '2026-01-05 09:30:15 UTC'],
    ['date in a zone', '{{date "2006-01-02 15:04" .Start "Asia/Shanghai"}}', '2026-01-05 17:30'],
    ['html escapes', '{{html "<b>&</b>"}}', '&lt;b&gt;&amp;&lt;/b&gt;'],
    [
      'contains/hasPrefix/replace/trunc',
      '{{if contains "web" .Labels.host}}{{replace "-" "_" .Labels.host}}{{end}} {{trunc 3 .Title}}',
      'web_1 CPU',
    ],
  ])('%s', (_name, source, expected) => {
    if (source.includes('list_names')) {
      expect(renderTemplate('{{join ", " .Names}}', { Names: ['a', 'b'] })).toBe('a, b');
      return;
    }
    expect(renderTemplate(source, data)).toBe(expected);
  });

  it.each([
    ['{{.Title', 1, 1, 'unclosed action'],
    ['ok\n  {{if .Title}}x', 2, 5, '{{if}} without {{end}}'],
    ['{{end}}', 1, 3, 'unexpected {{end}}'],
    ['a{{nosuch .Title}}', 1, 4, 'function "nosuch" not defined'],
    ['{{template "x"}}', 1, 3, 'not supported'],
    ['{{$x}}', 1, 3, 'undefined variable "$x"'],
    ['{{"abc}}', 1, 1, 'unclosed action'],
    ['{{"a\n"}}', 1, 3, 'unterminated quoted string'],
    ['{{(len .Title}}', 1, 3, 'unclosed left paren'],
    ['{{.Title | }}', 1, 10, 'missing command'],
    ['{{else}}', 1, 3, 'unexpected {{else}}'],
  ])('refuses %j at line %i column %i', (source, line, column, message) => {
    const error = errorOf(source);
    expect(error.message).toContain(message);
    expect([error.line, error.column]).toEqual([line, column]);
  });

  it('refuses unknown top-level fields when given the list, but not inside range/with', () => {
    const fields = new Set(['Title', 'Labels']);
    expect(errorOf('x\n{{.Titel}}', fields).message).toBe(
      "line 2, column 3: can't evaluate field Titel: no such variable",
    );
    expect(() => parseTemplate('{{range .Labels}}{{.anything}}{{end}}{{$.Title}}', { fields })).not.toThrow();
    expect(errorOf('{{range .Labels}}{{$.Nope}}{{end}}', fields).message).toContain('Nope');
  });

  it('stops runaway output', () => {
    const big = { L: Array.from({ length: 300 }, () => 'x'.repeat(1000)) };
    expect(() => renderTemplate('{{range .L}}{{.}}{{end}}', big)).toThrow(/longer than 256 KiB/);
  });

  it('reports run-time errors with the position', () => {
    expect(() => renderTemplate('\n {{lt .Title 3}}', data)).toThrow(/line 2, column 4: error calling lt/);
  });
});

describe('template engine: bounded work (issue 17 item 9)', () => {
  const nestedIfs = (n: number) => `${'{{if .Title}}'.repeat(n)}deep${'{{end}}'.repeat(n)}`;
  const nestedParens = (n: number) => `{{${'('.repeat(n)}len .Title${')'.repeat(n)}}}`;
  const elseIfs = (n: number) =>
    `{{if eq .Count 0}}0${Array.from({ length: n }, (_, i) => `{{else if eq .Count ${i + 1}}}${i + 1}`).join('')}{{end}}`;

  it(`nests blocks and parentheses ${MAX_NESTING} deep, and refuses a level more where it starts`, () => {
    expect(renderTemplate(nestedIfs(MAX_NESTING), data)).toBe('deep');
    expect(renderTemplate(nestedParens(MAX_NESTING), data)).toBe('8');
    // An else if is an if inside the else, as in Go: a chain of 99 is 100 levels.
    expect(renderTemplate(elseIfs(MAX_NESTING - 1), data)).toBe('3');
    const blocks = errorOf(nestedIfs(MAX_NESTING + 1));
    expect(blocks.message).toBe(
      `line 1, column ${13 * MAX_NESTING + 3}: blocks nest more than 100 deep (if, with, range; an else if counts as one more)`,
    );
    expect(errorOf(elseIfs(MAX_NESTING)).message).toMatch(/blocks nest more than 100 deep/);
    expect(errorOf(`{{range .L}}{{with .}}${nestedIfs(MAX_NESTING - 1)}{{end}}{{end}}`).message).toMatch(
      /blocks nest/,
    );
    expect(errorOf(nestedParens(MAX_NESTING + 1)).message).toBe(
      `line 1, column ${3 + MAX_NESTING}: parentheses nest more than 100 deep`,
    );
  });

  it('answers the reported inputs with a template error, not a stack overflow', () => {
    expect(errorOf(nestedParens(5_000)).message).toMatch(/parentheses nest more than 100 deep/);
    expect(errorOf(nestedIfs(3_000)).message).toMatch(/blocks nest more than 100 deep/);
    expect(() => renderTemplate(nestedIfs(3_000), data)).toThrow(TemplateError);
  });

  it('parses the largest body (64 KiB) in linear time, whatever its shape', () => {
    const shapes = [
      `${' '.repeat(65_000)}x{{- .Title}}`,
      '{{.Title}}\n'.repeat(6_500),
      `{{print${' 1\n'.repeat(21_000)}}}`,
    ];
    for (const source of shapes) {
      const started = performance.now();
      parseTemplate(source);
      expect(performance.now() - started, source.slice(0, 20)).toBeLessThan(500);
    }
  });

  it('refuses a printf width past the output limit before building the string', () => {
    expect(() => renderTemplate('{{printf "%100000000s" "x"}}', data)).toThrow(/width 100000000 is larger/);
    expect(renderTemplate('{{printf "%5s" "x"}}', data)).toBe('    x');
  });
});

describe('the default template', () => {
  const incident = sampleIncident('https://vigil.example', Date.UTC(2026, 0, 5, 9, 0, 0) / 1000);
  const view = templateData(incident, { now: incident.start_time + 300 });

  it.each(TEMPLATE_CHANNELS)('renders for %s with the title and the link', (channel) => {
    parseTemplate(DEFAULT_BODIES[channel], { fields: TEMPLATE_FIELDS });
    const text = renderTemplate(DEFAULT_BODIES[channel], view);
    expect(text).toContain('CPU usage above 90% on web-1');
    if (channel !== 'voice')
      expect(text).toContain(`https://vigil.example/incident/detail/${incident.incident_id}`);
  });

  it('says what happened in the subject, and lists labels in the chat bodies', () => {
    expect(renderTemplate(EMAIL_SUBJECT, view)).toBe('[Triggered] [Critical] CPU usage above 90% on web-1');
    expect(renderTemplate(EMAIL_SUBJECT, { ...view, Progress: 'Closed' })).toMatch(/^\[Resolved\]/);
    const slack = renderTemplate(DEFAULT_BODIES.slack, view);
    expect(slack).toContain('• host: web-1');
    expect(slack).toContain(`<https://vigil.example/incident/detail/${incident.incident_id}|View incident #`);
    expect(renderTemplate(DEFAULT_BODIES.feishu, view)).toContain('Started: 2026-01-05 08:55:00 UTC');
  });

  it('escapes incident text in the e-mail body', () => {
    const html = renderTemplate(DEFAULT_BODIES.email, { ...view, Title: '<img src=x>' });
    expect(html).toContain('&lt;img src=x&gt;');
    expect(html).not.toContain('<img');
  });
});
