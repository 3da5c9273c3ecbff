// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is title_rule syntax under test, not a template literal
import { describe, expect, it } from 'vitest';
import { renderTitleRule, type TitleContext } from './title-rule.ts';

/** The labels of the standard push example (seeds/003). */
const SEED_LABELS = {
  resource: 'es.nj.01',
  check: 'cpu.idle<20%',
  service: 'engine',
  cluster: 'nj',
  metric: 'node_cpu_seconds_total',
};

const ctx = (over: Partial<TitleContext> = {}): TitleContext => ({
  labels: SEED_LABELS,
  description: 'cpu idle low than 20%',
  severity: 'Warning',
  status: 'Warning',
  alertKey: '64f6b9df2007be4b0bfe56f6',
  integrationType: 'alert.standard',
  integrationName: 'Custom monitor',
  ...over,
});

const render = (rule: string, over: Partial<TitleContext> = {}) => renderTitleRule(rule, ctx(over));

describe('the legacy bare form (no [TPL])', () => {
  it('renders the seed example exactly', () => {
    expect(render('$cluster::$resource::$check')).toBe('nj::es.nj.01::cpu.idle<20%');
  });

  it('keeps $name literal when the label does not exist', () => {
    expect(render('$5 charge on $HOME for $service')).toBe('$5 charge on $HOME for engine');
    expect(render('price: $ 5')).toBe('price: $ 5');
    expect(render('$')).toBe('$');
    expect(render('ends with $')).toBe('ends with $');
  });

  it('takes the longest identifier, without falling back to a shorter label', () => {
    expect(render('$resource_id')).toBe('$resource_id');
    expect(render('$resource-id')).toBe('es.nj.01-id');
    expect(render('$cluster.$service')).toBe('nj.engine');
    expect(render('$cluster$service')).toBe('njengine');
  });

  it('has no escape: $$name is a literal $ then the label', () => {
    expect(render('$$cluster')).toBe('$nj');
  });

  it('leaves ${…} and {{…}} literal', () => {
    expect(render('${cluster} {{.Labels.cluster}}')).toBe('${cluster} {{.Labels.cluster}}');
  });

  it('does not scan substituted values again', () => {
    expect(render('$a', { labels: { a: '$b', b: 'no' } })).toBe('$b');
  });

  it('reads only own labels', () => {
    const labels = JSON.parse('{"__proto__": "proto", "x": "1"}') as Record<string, string>;
    expect(render('$__proto__ $x $constructor $toString', { labels })).toBe('proto 1 $constructor $toString');
  });

  it('is case-sensitive', () => {
    expect(render('$Cluster $cluster', { labels: { cluster: 'nj' } })).toBe('$Cluster nj');
  });
});

describe('[TPL] templates: ${label}', () => {
  it('substitutes labels, including keys with dots and dashes', () => {
    expect(render('[TPL]${cluster}/${resource}')).toBe('nj/es.nj.01');
    expect(render('[TPL]${k8s.pod-name}', { labels: { 'k8s.pod-name': 'web-1' } })).toBe('web-1');
  });

  it('renders a missing label as <no value>', () => {
    expect(render('[TPL]host ${host}')).toBe('host <no value>');
    expect(render('[TPL]${constructor}')).toBe('<no value>');
  });

  it('keeps ${} and an unterminated ${ literal', () => {
    expect(render('[TPL]a ${} b')).toBe('a ${} b');
    expect(render('[TPL]a ${cluster')).toBe('a ${cluster');
  });

  it('keeps a bare $name literal inside a template', () => {
    expect(render('[TPL]$cluster ${cluster}')).toBe('$cluster nj');
  });

  it('only recognises the exact [TPL] prefix at the start', () => {
    expect(render('[tpl]${cluster}')).toBe('[tpl]${cluster}');
    expect(render(' [TPL]${cluster}')).toBe(' [TPL]${cluster}');
  });
});

describe('[TPL] templates: {{ Go template subset }}', () => {
  it('reads labels; a missing label is empty', () => {
    expect(render('[TPL]{{.Labels.cluster}}-{{ .Labels.service }}')).toBe('nj-engine');
    expect(render('[TPL]<{{.Labels.missing}}>')).toBe('<>');
    expect(render('[TPL]<{{.Labels.constructor}}>')).toBe('<>');
  });

  it('reads the event fields', () => {
    expect(
      render(
        '[TPL]{{.Description}}|{{.EventSeverity}}|{{.EventStatus}}|{{.AlertKey}}|{{.IntegrationType}}|{{.IntegrationName}}',
        { severity: 'Info', status: 'Ok' },
      ),
    ).toBe('cpu idle low than 20%|Info|Ok|64f6b9df2007be4b0bfe56f6|alert.standard|Custom monitor');
  });

  it('renders .Title and .TitleRule as the rule without [TPL], unrendered', () => {
    expect(render('[TPL]rule: {{.TitleRule}}')).toBe('rule: rule: {{.TitleRule}}');
    expect(render('[TPL]${cluster} {{.Title}}')).toBe('nj ${cluster} {{.Title}}');
  });

  it('indexes labels whose keys are not identifiers', () => {
    const labels = { 'k8s.pod': 'web-1', 'app-name': 'shop', 'a"b': 'q', 'x y': 'sp' };
    expect(render('[TPL]{{index .Labels "k8s.pod"}}/{{ index .Labels "app-name" }}', { labels })).toBe(
      'web-1/shop',
    );
    expect(render('[TPL]{{index .Labels `k8s.pod`}}', { labels })).toBe('web-1');
    expect(render('[TPL]{{index .Labels "a\\"b"}} {{index .Labels "x y"}}', { labels })).toBe('q sp');
    expect(render('[TPL][{{index .Labels "nope"}}]', { labels })).toBe('[]');
  });

  it('prints .Labels like Go prints a map, and string literals as themselves', () => {
    expect(render('[TPL]{{.Labels}}', { labels: { b: '2', a: '1' } })).toBe('map[a:1 b:2]');
    expect(render('[TPL]{{ "x}}y" }}')).toBe('x}}y');
    expect(render('[TPL]{{`raw`}}')).toBe('raw');
  });

  it('drops comments', () => {
    expect(render('[TPL]a{{/* note */}}b')).toBe('ab');
  });

  it('trims whitespace around {{- and -}} like Go', () => {
    expect(render('[TPL]a  \n {{- .Labels.cluster -}} \t b')).toBe('anjb');
    expect(render('[TPL]a  {{- .Labels.cluster }}  b')).toBe('anj  b');
    expect(render('[TPL]a  {{ .Labels.cluster -}}  b')).toBe('a  njb');
    // The trim reaches only literal text, not a substituted value.
    expect(render('[TPL]${cluster} {{- .Labels.service}}', { labels: { cluster: 'x ', service: 'y' } })).toBe(
      'x y',
    );
  });

  it('does not take a dash without a space as a trim marker', () => {
    expect(render('[TPL]a {{-3}} b')).toBe('a {{-3}} b');
  });

  it('keeps anything outside the subset literal, and renders the rest', () => {
    expect(render('[TPL]{{ if .Labels.cluster }}yes{{ end }} ${cluster}')).toBe(
      '{{ if .Labels.cluster }}yes{{ end }} nj',
    );
    expect(render('[TPL]{{ .Labels.cluster | upper }}')).toBe('{{ .Labels.cluster | upper }}');
    expect(render('[TPL]{{ .Unknown }}{{.Labels.cluster.x}}{{.}}{{$}}{{}}')).toBe(
      '{{ .Unknown }}{{.Labels.cluster.x}}{{.}}{{$}}{{}}',
    );
    expect(render('[TPL]{{ index .Labels cluster }}{{ index .Labels "a" "b" }}')).toBe(
      '{{ index .Labels cluster }}{{ index .Labels "a" "b" }}',
    );
    expect(render('[TPL]{{ .Title.Foo }} {{- -}}')).toBe('{{ .Title.Foo }} {{- -}}');
  });

  it('keeps an unterminated action literal and goes on rendering', () => {
    expect(render('[TPL]{{ .Labels.cluster ${service}')).toBe('{{ .Labels.cluster engine');
    expect(render('[TPL]{{ "unterminated }} ${cluster}')).toBe('{{ "unterminated }} nj');
  });

  it('does not scan substituted values again', () => {
    const labels = { a: '${b}', b: 'no', c: '{{.AlertKey}}' };
    expect(render('[TPL]${a} {{.Labels.c}} {{index .Labels "a"}}', { labels })).toBe(
      '${b} {{.AlertKey}} ${b}',
    );
  });
});

describe('length and robustness', () => {
  it('cuts the title to 512 code points', () => {
    expect(render('x'.repeat(600))).toBe('x'.repeat(512));
    expect(render('x'.repeat(512))).toBe('x'.repeat(512));
    expect(render('[TPL]${v}${v}', { labels: { v: 'y'.repeat(300) } })).toBe('y'.repeat(512));
  });

  it('never splits a surrogate pair at the 512th code point', () => {
    const title = render(`${'a'.repeat(511)}😀b`);
    expect([...title].length).toBe(512);
    expect(title.endsWith('😀')).toBe(true);
    expect(render(`${'a'.repeat(512)}😀`)).toBe('a'.repeat(512));
    expect(render('😀'.repeat(600))).toBe('😀'.repeat(512));
  });

  it('never throws, whatever the rule', () => {
    const pieces = [
      '[TPL]',
      '{{',
      '}}',
      '${',
      '}',
      '$',
      '-',
      ' ',
      '"',
      '`',
      '.Labels',
      '.x',
      'index',
      '/*',
      '*/',
      'a',
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 2000; n++) {
      const parts = Array.from({ length: 1 + (next() % 12) }, () => pieces[next() % pieces.length]);
      const rule = (n % 2 === 0 ? '[TPL]' : '') + parts.join('');
      expect(typeof render(rule, { labels: { x: 'v' } })).toBe('string');
    }
  });
});
