/*
 * A pure interpreter for the subset of Go's text/template (plus a few sprig functions) that
 * notification templates use, so Flashduty users' templates keep working. docs/notifications.md
 * lists exactly what is supported; anything else is refused when the template is parsed, with the
 * line and column.
 *
 * Supported: text; actions `{{ pipeline }}` with `{{-` / `-}}` trimming; comments `{{/* … *\/}}`;
 * `if` / `else if` / `else` / `end`, `range` (arrays, and maps in key order; `$v :=`, `$k, $v :=`,
 * `else`), `with` / `else`; fields `.A.b.C`, `$`, `$.A`, variables `$x` and `$x.A`; string
 * (`"…"`, `` `…` ``), number, `true`, `false`, `nil` literals; parentheses; pipes `|` (the value
 * becomes the last argument of the next command); the functions in FUNCTIONS.
 */

export class TemplateError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(`line ${line}, column ${column}: ${message}`);
    this.name = 'TemplateError';
    this.line = line;
    this.column = column;
  }
}

type Pos = { line: number; column: number };

type Arg =
  | { kind: 'field'; base: 'dot' | 'root' | string; path: string[]; pos: Pos }
  | { kind: 'literal'; value: unknown; pos: Pos }
  | { kind: 'ident'; name: string; pos: Pos }
  | { kind: 'paren'; pipeline: Pipeline; pos: Pos };

type Command = { args: Arg[]; pos: Pos };
type Pipeline = { decl: string[]; commands: Command[]; pos: Pos };

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline }
  | { kind: 'if' | 'with'; pipeline: Pipeline; body: Node[]; otherwise: Node[] }
  | { kind: 'range'; pipeline: Pipeline; body: Node[]; otherwise: Node[] };

export type Template = { nodes: Node[] };

// ---------------------------------------------------------------- lexing into text and actions

type Piece = { kind: 'text'; text: string } | { kind: 'action'; source: string; start: number };

/** Where an offset of the source is (line and column from 1): one pass, then a binary search per call. */
type Locate = (index: number) => Pos;

function locator(source: string): Locate {
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return (index) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - lineStarts[lo]! + 1 };
  };
}

function split(source: string, locate: Locate): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    let text = source.slice(i, open === -1 ? source.length : open);
    // trimStart/trimEnd take the whitespace \s does, in linear time (`/\s+$/` is quadratic).
    if (trimNext) text = text.trimStart();
    trimNext = false;
    if (open === -1) {
      if (text) pieces.push({ kind: 'text', text });
      break;
    }
    let start = open + 2;
    if (/^-\s/.test(source.slice(start, start + 2))) {
      text = text.trimEnd();
      start += 1;
    }
    if (text) pieces.push({ kind: 'text', text });
    // Find the closing braces, skipping quoted strings.
    let j = start;
    let quote: string | undefined;
    for (; j < source.length; j++) {
      const c = source[j]!;
      if (quote) {
        if (c === '\\' && quote === '"') j++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === '`') quote = c;
      else if (source.startsWith('}}', j)) break;
    }
    if (j >= source.length) {
      const at = locate(open);
      throw new TemplateError('unclosed action: "{{" without "}}"', at.line, at.column);
    }
    let end = j;
    if (source[end - 1] === '-' && /\s/.test(source[end - 2] ?? '') && end - 2 >= start) {
      end -= 1;
      trimNext = true;
    }
    const body = source.slice(start, end);
    const trimmed = body.trim();
    if (!(trimmed.startsWith('/*') && trimmed.endsWith('*/'))) {
      pieces.push({ kind: 'action', source: body, start });
    } else if (trimmed.length < 4) {
      const at = locate(open);
      throw new TemplateError('unclosed comment', at.line, at.column);
    }
    i = j + 2;
  }
  return pieces;
}

// ---------------------------------------------------------------- tokens inside an action

type Token =
  | { t: 'field'; path: string[]; pos: Pos }
  | { t: 'var'; name: string; path: string[]; pos: Pos }
  | { t: 'string' | 'number' | 'ident'; value: string; pos: Pos }
  | { t: '(' | ')' | '|' | ':=' | ','; pos: Pos };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELD_CHAIN = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/;

function tokenize(piece: { source: string; start: number }, locate: Locate): Token[] {
  const src = piece.source;
  const tokens: Token[] = [];
  const at = (offset: number): Pos => locate(piece.start + offset);
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const rest = src.slice(i);
    const pos = at(i);
    if (/\s/.test(c)) i++;
    else if (c === '(' || c === ')' || c === '|' || c === ',') {
      tokens.push({ t: c, pos });
      i++;
    } else if (rest.startsWith(':=')) {
      tokens.push({ t: ':=', pos });
      i += 2;
    } else if (c === '"') {
      const m = /^"(?:[^"\\\n]|\\.)*"/.exec(rest);
      if (!m) throw new TemplateError('unterminated quoted string', pos.line, pos.column);
      let value: string;
      try {
        value = JSON.parse(m[0]) as string;
      } catch {
        throw new TemplateError(`bad string ${m[0]}`, pos.line, pos.column);
      }
      tokens.push({ t: 'string', value, pos });
      i += m[0].length;
    } else if (c === '`') {
      const close = src.indexOf('`', i + 1);
      if (close === -1) throw new TemplateError('unterminated raw string', pos.line, pos.column);
      tokens.push({ t: 'string', value: src.slice(i + 1, close), pos });
      i = close + 1;
    } else if (/[-+0-9]/.test(c) && /^[-+]?\d/.test(rest)) {
      const m = /^[-+]?\d+(\.\d+)?/.exec(rest)!;
      tokens.push({ t: 'number', value: m[0], pos });
      i += m[0].length;
    } else if (c === '.') {
      const m = FIELD_CHAIN.exec(rest);
      if (m) {
        tokens.push({ t: 'field', path: m[0].slice(1).split('.'), pos });
        i += m[0].length;
      } else if (!/^\.[A-Za-z0-9_]/.test(rest)) {
        tokens.push({ t: 'field', path: [], pos });
        i++;
      } else
        throw new TemplateError(`bad field name ${JSON.stringify(rest.slice(0, 20))}`, pos.line, pos.column);
    } else if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?/.exec(rest)!;
      i += m[0].length;
      const chain = FIELD_CHAIN.exec(src.slice(i));
      const path = chain ? chain[0].slice(1).split('.') : [];
      if (chain) i += chain[0].length;
      tokens.push({ t: 'var', name: m[0], path, pos });
    } else {
      const m = IDENT.exec(rest);
      if (!m) throw new TemplateError(`unexpected ${JSON.stringify(c)} in action`, pos.line, pos.column);
      tokens.push({ t: 'ident', value: m[0], pos });
      i += m[0].length;
    }
  }
  return tokens;
}

// ---------------------------------------------------------------- parsing

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with']);
const UNSUPPORTED = new Set(['define', 'template', 'block', 'break', 'continue']);

/** Top-level names a template may use on `.` (outside range/with) and on `$`; others are refused. */
export type ParseOptions = { fields?: ReadonlySet<string> };

/**
 * How deep blocks (`if`, `with`, `range`; an `else if` is an `if` inside the `else`, as in Go) and,
 * separately, parentheses may nest. Parsing and running recurse once per level: without a limit,
 * 3,000 nested `{{if}}` or 5,000 parentheses overflowed the stack.
 */
export const MAX_NESTING = 100;

class Parser {
  readonly #pieces: Piece[];
  readonly #options: ParseOptions;
  readonly #locate: Locate;
  #i = 0;
  /** Depth of range/with blocks: inside them `.` is not the root, so its fields are not checked. */
  #dotDepth = 0;
  #blockDepth = 0;
  #parenDepth = 0;
  #vars: string[][] = [['$']];

  constructor(pieces: Piece[], options: ParseOptions, locate: Locate) {
    this.#pieces = pieces;
    this.#options = options;
    this.#locate = locate;
  }

  parse(): Node[] {
    const { nodes, end } = this.#list();
    if (end) throw new TemplateError(`unexpected {{${end.word}}}`, end.pos.line, end.pos.column);
    return nodes;
  }

  /** Nodes up to an `end` or `else` (returned with its remaining tokens) or the end of input. */
  #list(): { nodes: Node[]; end?: { word: 'end' | 'else'; tokens: Token[]; pos: Pos } } {
    const nodes: Node[] = [];
    while (this.#i < this.#pieces.length) {
      const piece = this.#pieces[this.#i++]!;
      if (piece.kind === 'text') {
        nodes.push(piece);
        continue;
      }
      const tokens = tokenize(piece, this.#locate);
      const pos = this.#locate(piece.start);
      if (tokens.length === 0) throw new TemplateError('missing value for command', pos.line, pos.column);
      const first = tokens[0]!;
      const word = first.t === 'ident' ? first.value : '';
      if (UNSUPPORTED.has(word)) {
        throw new TemplateError(
          `{{${word}}} is not supported in notification templates`,
          first.pos.line,
          first.pos.column,
        );
      }
      if (word === 'end' || word === 'else') {
        if (word === 'end' && tokens.length > 1) {
          throw new TemplateError('unexpected words after {{end', first.pos.line, first.pos.column);
        }
        return { nodes, end: { word, tokens: tokens.slice(1), pos: first.pos } };
      }
      if (word === 'if' || word === 'with' || word === 'range') {
        nodes.push(this.#block(word, tokens.slice(1), first.pos));
      } else {
        nodes.push({ kind: 'action', pipeline: this.#pipeline(tokens, pos, true) });
      }
    }
    return { nodes };
  }

  #block(word: 'if' | 'with' | 'range', tokens: Token[], pos: Pos): Node {
    if (this.#blockDepth >= MAX_NESTING) {
      throw new TemplateError(
        `blocks nest more than ${MAX_NESTING} deep (if, with, range; an else if counts as one more)`,
        pos.line,
        pos.column,
      );
    }
    this.#blockDepth++;
    const node = this.#blockBody(word, tokens, pos);
    this.#blockDepth--;
    return node;
  }

  #blockBody(word: 'if' | 'with' | 'range', tokens: Token[], pos: Pos): Node {
    if (tokens.length === 0) throw new TemplateError(`missing value for ${word}`, pos.line, pos.column);
    this.#vars.push([]);
    const pipeline = this.#pipeline(tokens, pos, word !== 'if');
    if (word !== 'if') this.#dotDepth++;
    const { nodes: body, end } = this.#list();
    if (word !== 'if') this.#dotDepth--;
    this.#vars.pop();
    if (!end) throw new TemplateError(`{{${word}}} without {{end}}`, pos.line, pos.column);
    let otherwise: Node[] = [];
    if (end.word === 'else') {
      const next = end.tokens[0];
      if (next && next.t === 'ident' && next.value === 'if' && word === 'if') {
        // `else if` is an if nested in the else branch, closed by the same end.
        otherwise = [this.#block('if', end.tokens.slice(1), end.pos)];
      } else {
        if (end.tokens.length > 0) {
          throw new TemplateError('unexpected words after {{else', end.pos.line, end.pos.column);
        }
        this.#vars.push([]);
        const rest = this.#list();
        this.#vars.pop();
        if (rest.end?.word !== 'end') {
          throw new TemplateError(`{{${word}}} without {{end}}`, pos.line, pos.column);
        }
        otherwise = rest.nodes;
      }
    }
    return { kind: word, pipeline, body, otherwise } as Node;
  }

  #pipeline(tokens: Token[], pos: Pos, allowDecl: boolean): Pipeline {
    let decl: string[] = [];
    const assign = tokens.findIndex((t) => t.t === ':=');
    if (assign !== -1) {
      if (!allowDecl) throw new TemplateError('variables cannot be declared here', pos.line, pos.column);
      const names = tokens.slice(0, assign);
      const ok =
        (names.length === 1 && names[0]!.t === 'var') ||
        (names.length === 3 && names[0]!.t === 'var' && names[1]!.t === ',' && names[2]!.t === 'var');
      if (!ok) throw new TemplateError('bad variable declaration', pos.line, pos.column);
      decl = names.filter((t) => t.t === 'var').map((t) => (t as { name: string }).name);
      tokens = tokens.slice(assign + 1);
      this.#vars.at(-1)!.push(...decl);
    }
    const commands: Command[] = [];
    let current: Arg[] = [];
    let k = 0;
    const flush = (at: Pos) => {
      if (current.length === 0) throw new TemplateError('missing command in pipeline', at.line, at.column);
      commands.push({ args: current, pos: current[0]!.pos });
      current = [];
    };
    while (k < tokens.length) {
      const token = tokens[k]!;
      if (token.t === '|') {
        flush(token.pos);
        k++;
      } else {
        const [arg, next] = this.#arg(tokens, k);
        current.push(arg);
        k = next;
      }
    }
    flush(tokens.at(-1)?.pos ?? pos);
    return { decl, commands, pos };
  }

  #arg(tokens: Token[], k: number): [Arg, number] {
    const token = tokens[k]!;
    const pos = token.pos;
    switch (token.t) {
      case 'field':
        if (this.#dotDepth === 0 && token.path.length > 0) this.#checkField(token.path[0]!, pos);
        return [{ kind: 'field', base: 'dot', path: token.path, pos }, k + 1];
      case 'var': {
        if (token.name !== '$' && !this.#vars.some((scope) => scope.includes(token.name))) {
          throw new TemplateError(`undefined variable "${token.name}"`, pos.line, pos.column);
        }
        if (token.name === '$' && token.path.length > 0) this.#checkField(token.path[0]!, pos);
        return [
          { kind: 'field', base: token.name === '$' ? 'root' : token.name, path: token.path, pos },
          k + 1,
        ];
      }
      case 'string':
        return [{ kind: 'literal', value: token.value, pos }, k + 1];
      case 'number':
        return [{ kind: 'literal', value: Number(token.value), pos }, k + 1];
      case 'ident': {
        if (token.value === 'true' || token.value === 'false') {
          return [{ kind: 'literal', value: token.value === 'true', pos }, k + 1];
        }
        if (token.value === 'nil') return [{ kind: 'literal', value: null, pos }, k + 1];
        if (KEYWORDS.has(token.value)) {
          throw new TemplateError(`unexpected keyword "${token.value}"`, pos.line, pos.column);
        }
        if (!(token.value in FUNCTIONS)) {
          throw new TemplateError(`function "${token.value}" not defined`, pos.line, pos.column);
        }
        return [{ kind: 'ident', name: token.value, pos }, k + 1];
      }
      case '(': {
        let depth = 0;
        let close = k;
        for (; close < tokens.length; close++) {
          if (tokens[close]!.t === '(') depth++;
          else if (tokens[close]!.t === ')' && --depth === 0) break;
        }
        if (close >= tokens.length) throw new TemplateError('unclosed left paren', pos.line, pos.column);
        const inner = tokens.slice(k + 1, close);
        if (inner.length === 0) throw new TemplateError('missing value in parentheses', pos.line, pos.column);
        if (this.#parenDepth >= MAX_NESTING) {
          throw new TemplateError(`parentheses nest more than ${MAX_NESTING} deep`, pos.line, pos.column);
        }
        this.#parenDepth++;
        const pipeline = this.#pipeline(inner, pos, false);
        this.#parenDepth--;
        return [{ kind: 'paren', pipeline, pos }, close + 1];
      }
      default:
        throw new TemplateError(`unexpected "${token.t}"`, pos.line, pos.column);
    }
  }

  #checkField(name: string, pos: Pos): void {
    const fields = this.#options.fields;
    if (fields && !fields.has(name)) {
      throw new TemplateError(`can't evaluate field ${name}: no such variable`, pos.line, pos.column);
    }
  }
}

/** Parses a template; throws TemplateError (with line and column) when it is not valid. */
export function parseTemplate(source: string, options: ParseOptions = {}): Template {
  const locate = locator(source);
  return { nodes: new Parser(split(source, locate), options, locate).parse() };
}

// ---------------------------------------------------------------- execution

/** Go's truth: false, 0, nil, and empty strings, arrays and maps are false. */
function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** How a value prints: Go's formatting of strings, numbers, lists and maps; nothing for nil/missing. */
function display(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(display).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${k}:${display((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

function field(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}

type Scope = { dot: unknown; root: unknown; vars: Map<string, unknown>[] };

class Limits {
  steps = 0;
  output = 0;
}
const MAX_STEPS = 100_000;
const MAX_OUTPUT = 256 * 1024;

function lookupVar(scope: Scope, name: string, pos: Pos): unknown {
  for (let i = scope.vars.length - 1; i >= 0; i--) {
    if (scope.vars[i]!.has(name)) return scope.vars[i]!.get(name);
  }
  throw new TemplateError(`undefined variable "${name}"`, pos.line, pos.column);
}

function evalArg(arg: Arg, scope: Scope, limits: Limits): unknown {
  switch (arg.kind) {
    case 'literal':
      return arg.value;
    case 'field': {
      let value =
        arg.base === 'dot'
          ? scope.dot
          : arg.base === 'root'
            ? scope.root
            : lookupVar(scope, arg.base, arg.pos);
      for (const name of arg.path) value = field(value, name);
      return value;
    }
    case 'paren':
      return evalPipeline(arg.pipeline, scope, limits);
    case 'ident':
      return callFunction(arg.name, [], arg.pos);
  }
}

function callFunction(name: string, args: unknown[], pos: Pos): unknown {
  try {
    return FUNCTIONS[name]!(...args);
  } catch (error) {
    throw new TemplateError(`error calling ${name}: ${(error as Error).message}`, pos.line, pos.column);
  }
}

function evalPipeline(pipeline: Pipeline, scope: Scope, limits: Limits): unknown {
  let value: unknown;
  let first = true;
  for (const command of pipeline.commands) {
    const [head, ...rest] = command.args as [Arg, ...Arg[]];
    const piped = first ? [] : [value];
    if (head.kind === 'ident') {
      const args = [...rest.map((a) => evalArg(a, scope, limits)), ...piped];
      value = callFunction(head.name, args, head.pos);
    } else {
      if (rest.length > 0 || !first) {
        throw new TemplateError(
          "can't give arguments to a non-function",
          command.pos.line,
          command.pos.column,
        );
      }
      value = evalArg(head, scope, limits);
    }
    first = false;
  }
  if (pipeline.decl.length === 1) scope.vars.at(-1)!.set(pipeline.decl[0]!, value);
  return value;
}

function execute(nodes: readonly Node[], scope: Scope, out: string[], limits: Limits): void {
  for (const node of nodes) {
    if (++limits.steps > MAX_STEPS) throw new TemplateError('the template runs too long', 1, 1);
    switch (node.kind) {
      case 'text':
        emit(out, node.text, limits);
        break;
      case 'action': {
        const value = evalPipeline(node.pipeline, scope, limits);
        if (node.pipeline.decl.length === 0) emit(out, display(value), limits);
        break;
      }
      case 'if':
      case 'with': {
        scope.vars.push(new Map());
        const value = evalPipeline(node.pipeline, scope, limits);
        if (truthy(value)) {
          execute(node.body, node.kind === 'with' ? { ...scope, dot: value } : scope, out, limits);
        } else execute(node.otherwise, scope, out, limits);
        scope.vars.pop();
        break;
      }
      case 'range': {
        scope.vars.push(new Map());
        const decl = node.pipeline.decl;
        const value = evalPipeline({ ...node.pipeline, decl: [] }, scope, limits);
        const items: [unknown, unknown][] = Array.isArray(value)
          ? value.map((v, i) => [i, v])
          : value !== null && typeof value === 'object'
            ? Object.keys(value)
                .sort()
                .map((k) => [k, (value as Record<string, unknown>)[k]])
            : [];
        if (value !== null && value !== undefined && typeof value !== 'object') {
          throw new TemplateError(
            `range can't iterate over ${display(value)}`,
            node.pipeline.pos.line,
            node.pipeline.pos.column,
          );
        }
        if (items.length === 0) execute(node.otherwise, scope, out, limits);
        for (const [key, item] of items) {
          const vars = new Map<string, unknown>();
          if (decl.length === 1) vars.set(decl[0]!, item);
          if (decl.length === 2) {
            vars.set(decl[0]!, key);
            vars.set(decl[1]!, item);
          }
          scope.vars.push(vars);
          execute(node.body, { ...scope, dot: item }, out, limits);
          scope.vars.pop();
        }
        scope.vars.pop();
        break;
      }
    }
  }
}

function emit(out: string[], text: string, limits: Limits): void {
  limits.output += text.length;
  if (limits.output > MAX_OUTPUT) throw new TemplateError('the output is longer than 256 KiB', 1, 1);
  out.push(text);
}

/** Runs a parsed template over `data`; throws TemplateError on an error at run time. */
function executeTemplate(template: Template, data: unknown): string {
  const out: string[] = [];
  try {
    execute(template.nodes, { dot: data, root: data, vars: [new Map([['$', data]])] }, out, new Limits());
  } catch (error) {
    // MAX_NESTING keeps parsed templates far from the stack's end; should anything still reach it,
    // the render fails as a template error (a failed delivery, a failed preview), not as a crash.
    if (error instanceof RangeError)
      throw new TemplateError(`the template cannot run: ${error.message}`, 1, 1);
    throw error;
  }
  return out.join('');
}

/** Parsed templates by source (without parse options), so a burst of notifications parses each once. */
const parsed = new Map<string, Template>();
const PARSED_MAX = 256;

/** Parses and runs in one step. */
export function renderTemplate(source: string, data: unknown, options: ParseOptions = {}): string {
  if (options.fields) return executeTemplate(parseTemplate(source, options), data);
  let template = parsed.get(source);
  if (!template) {
    template = parseTemplate(source);
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(source, template);
  }
  return executeTemplate(template, data);
}

// ---------------------------------------------------------------- functions

function compare(op: string, a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) {
    throw new Error(`incompatible types for comparison (${op})`);
  }
  const x = a as number | string;
  const y = b as number | string;
  return op === 'lt' ? x < y : op === 'le' ? x <= y : op === 'gt' ? x > y : x >= y;
}

function equal(a: unknown, b: unknown): boolean {
  return a === b || (a == null && b == null);
}

function printf(format: unknown, ...args: unknown[]): string {
  let i = 0;
  return String(format).replace(/%(-?\d*)(?:\.(\d+))?([sdvqf%])/g, (_m, width: string, precision, verb) => {
    if (verb === '%') return '%';
    const arg = args[i++];
    let text: string;
    if (verb === 'd') text = String(Math.trunc(Number(arg)));
    else if (verb === 'f') text = Number(arg).toFixed(precision === undefined ? 6 : Number(precision));
    else if (verb === 'q') text = JSON.stringify(display(arg));
    else text = display(arg);
    const w = Number(width);
    // A width past the output limit would build a huge string before the limit could stop it.
    if (Math.abs(w) > MAX_OUTPUT) throw new Error(`width ${w} is larger than the output limit`);
    return w > 0 ? text.padStart(w) : w < 0 ? text.padEnd(-w) : text;
  });
}

type DateFormats = { parts: Intl.DateTimeFormat; month: Intl.DateTimeFormat };
/** Formatters per time zone: making one costs far more than using it. */
const formats = new Map<string, DateFormats>();

function dateFormats(timeZone: string): DateFormats {
  let found = formats.get(timeZone);
  if (!found) {
    found = {
      parts: new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        weekday: 'short',
        hourCycle: 'h23',
        timeZoneName: 'short',
      }),
      month: new Intl.DateTimeFormat('en-US', { timeZone, month: 'short' }),
    };
    if (formats.size >= 256) formats.clear();
    formats.set(timeZone, found);
  }
  return found;
}

/** Go layout tokens → the parts of a date, in the given IANA zone. */
function formatDate(layout: unknown, time: unknown, zone: unknown = 'UTC'): string {
  const seconds = Number(time);
  if (!Number.isFinite(seconds)) throw new Error(`${display(time)} is not a Unix time`);
  const date = new Date(seconds * 1000);
  const { parts: partsFormat, month: monthFormat } = dateFormats(String(zone || 'UTC'));
  const parts = Object.fromEntries(partsFormat.formatToParts(date).map((p) => [p.type, p.value])) as Record<
    string,
    string
  >;
  const month = monthFormat.format(date);
  const tokens: Record<string, string> = {
    '2006': parts.year!,
    '01': parts.month!,
    '02': parts.day!,
    '15': parts.hour!,
    '04': parts.minute!,
    '05': parts.second!,
    Jan: month,
    Mon: parts.weekday!,
    MST: parts.timeZoneName!,
  };
  return String(layout).replace(/2006|01|02|15|04|05|Jan|Mon|MST/g, (t) => tokens[t]!);
}

function length(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  throw new Error(`len of ${value === undefined ? 'nil' : typeof value}`);
}

/** The functions templates may call. Go builtins first, then the sprig ones Flashduty users use. */
const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  and: (...args) => args.find((a) => !truthy(a)) ?? args.at(-1),
  or: (...args) => args.find((a) => truthy(a)) ?? args.at(-1),
  not: (a) => !truthy(a),
  eq: (a, ...rest) => rest.some((b) => equal(a, b)),
  ne: (a, b) => !equal(a, b),
  lt: (a, b) => compare('lt', a, b),
  le: (a, b) => compare('le', a, b),
  gt: (a, b) => compare('gt', a, b),
  ge: (a, b) => compare('ge', a, b),
  len: length,
  index: (value, ...keys) =>
    keys.reduce((v, k) => (Array.isArray(v) ? v[Number(k)] : field(v, String(k))), value),
  print: (...args) => args.map(display).join(''),
  println: (...args) => `${args.map(display).join(' ')}\n`,
  printf: (format, ...args) => printf(format, ...args),
  html: (...args) =>
    args
      .map(display)
      .join('')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&#34;')
      .replace(/'/g, '&#39;'),
  urlquery: (...args) => encodeURIComponent(args.map(display).join('')),
  // sprig
  upper: (s) => display(s).toUpperCase(),
  lower: (s) => display(s).toLowerCase(),
  title: (s) => display(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  trim: (s) => display(s).trim(),
  trunc: (n, s) => display(s).slice(0, Number(n)),
  contains: (sub, s) => display(s).includes(display(sub)),
  hasPrefix: (prefix, s) => display(s).startsWith(display(prefix)),
  hasSuffix: (suffix, s) => display(s).endsWith(display(suffix)),
  replace: (old, replacement, s) => display(s).split(display(old)).join(display(replacement)),
  join: (sep, list) => (Array.isArray(list) ? list.map(display).join(display(sep)) : display(list)),
  default: (fallback, value) => (truthy(value) ? value : fallback),
  toJson: (value) => JSON.stringify(value ?? null),
  date: (layout, time, zone) => formatDate(layout, time, zone),
};

/** The names of the functions templates may call (listed to assistants by the MCP server). */
export const TEMPLATE_FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS);
