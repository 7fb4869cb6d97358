/**
 * CIF 1.1 / 2.0 reader. Produces data blocks (tag → value, loops, save frames) with the exact
 * location of every token, and a list of located syntax errors. It never throws on bad input:
 * whatever could be read is returned together with the errors, so that the editor can still
 * outline and highlight a half-written file.
 *
 * Grammar notes (IUCr CIF 1.1 syntax, CIF 2.0 = Bernstein et al., J. Appl. Cryst. 49, 277 (2016)):
 * - CIF 1.1: a quoted value ends at a matching quote followed by whitespace (so `'O'Brien'` is one value);
 *   CIF 2.0: at the first matching quote, plus triple-quoted strings and `[list]` / `{table}` values.
 * - A text field opens with `;` in column 0 and closes at the next line that starts with `;`.
 */

export interface CifLocation {
  line: number;   // 0-based
  column: number; // 0-based
  length: number; // characters on `line` (a multi-line token reports its first line)
  endLine: number;
  endColumn: number;
}

export interface CifValue {
  /** The value text without delimiters. */
  text: string;
  /** How it was written: bare, quoted, a text field, or a CIF2 list/table. */
  form: 'bare' | 'quoted' | 'text-field' | 'list' | 'table';
  /** `?` (unknown) and `.` (inapplicable), only when bare. */
  special: 'unknown' | 'inapplicable' | null;
  at: CifLocation;
}

export interface CifItem {
  tag: string;      // as written
  key: string;      // normalised: lower case, CIF2 `_cat.item` → `_cat_item`
  tagAt: CifLocation;
  value: CifValue | null;
}

export interface CifLoop {
  at: CifLocation;            // of the `loop_` keyword
  end: CifLocation;           // of the last token of the loop
  tags: { tag: string; key: string; at: CifLocation }[];
  /** rows[r][c] is the value of tags[c] in row r. A trailing incomplete row is dropped (and reported). */
  rows: CifValue[][];
}

export interface CifFrame {
  name: string;
  at: CifLocation;            // of the `data_`/`save_` header
  end: CifLocation;           // of its last token
  items: CifItem[];
  loops: CifLoop[];
  saveFrames: CifFrame[];
}

export interface CifSyntaxError {
  code: 'syntax-error' | 'loop-count' | 'duplicate-tag';
  message: string;
  at: CifLocation;
  severity: 'error' | 'warning';
}

export interface CifDocument {
  version: '1.1' | '2.0';
  blocks: CifFrame[];
  errors: CifSyntaxError[];
}

type TokenKind = 'data' | 'save' | 'save-end' | 'global' | 'loop' | 'stop' | 'tag' | 'value';
interface Token {
  kind: TokenKind;
  text: string;
  value?: CifValue;
  at: CifLocation;
}

const isWhitespace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** Splits CIF text into tokens with locations; reports unterminated strings and text fields. */
class Lexer {
  private pos = 0;
  private line = 0;
  private lineStart = 0;
  readonly errors: CifSyntaxError[] = [];

  constructor(private readonly src: string, private readonly cif2: boolean) {
    // A byte-order mark is not part of the text: skip it, and count columns on line 0 as an editor shows them.
    if (src.charCodeAt(0) === 0xfeff) this.pos = this.lineStart = 1;
  }

  private loc(start: number, startLine: number, startLineStart: number): CifLocation {
    const column = start - startLineStart;
    const sameLine = startLine === this.line;
    return {
      line: startLine,
      column,
      length: sameLine ? this.pos - start : Math.max(1, this.lineEndFrom(startLineStart) - start),
      endLine: this.line,
      endColumn: this.pos - this.lineStart,
    };
  }

  private lineEndFrom(lineStart: number): number {
    const nl = this.src.indexOf('\n', lineStart);
    return nl < 0 ? this.src.length : nl;
  }

  private newline(at: number): void {
    this.line++;
    this.lineStart = at + 1;
  }

  next(): Token | null {
    const s = this.src;
    // Skip whitespace and comments.
    for (;;) {
      if (this.pos >= s.length) return null;
      const c = s.charCodeAt(this.pos);
      if (c === 10) { this.newline(this.pos); this.pos++; continue; }
      if (isWhitespace(c)) { this.pos++; continue; }
      if (c === 35 /* # */) {
        const nl = s.indexOf('\n', this.pos);
        this.pos = nl < 0 ? s.length : nl;
        continue;
      }
      break;
    }
    const start = this.pos, startLine = this.line, startLineStart = this.lineStart;
    const c = s[this.pos];

    // Text field: ';' in column 0.
    if (c === ';' && start === this.lineStart) return this.textField(start, startLine, startLineStart);

    if (c === "'" || c === '"') {
      if (this.cif2 && s.startsWith(c.repeat(3), start)) return this.tripleQuoted(start, startLine, startLineStart, c);
      return this.quoted(start, startLine, startLineStart, c);
    }
    if (this.cif2 && (c === '[' || c === '{')) return this.bracketed(start, startLine, startLineStart);
    // A stray closing bracket (CIF2) is a one-character token; the bare-word scan below would stop at it
    // without advancing and loop forever.
    if (this.cif2 && (c === ']' || c === '}')) this.pos++;

    // Bare word up to whitespace (CIF2: also up to brackets).
    while (this.pos < s.length) {
      const d = s.charCodeAt(this.pos);
      if (isWhitespace(d)) break;
      if (this.cif2 && (d === 91 || d === 93 || d === 123 || d === 125)) break;
      this.pos++;
    }
    const text = s.slice(start, this.pos);
    const at = this.loc(start, startLine, startLineStart);
    const lower = text.toLowerCase();
    if (text.startsWith('_')) return { kind: 'tag', text, at };
    if (lower.startsWith('data_')) return { kind: 'data', text: text.slice(5), at };
    if (lower === 'loop_') return { kind: 'loop', text, at };
    if (lower === 'global_') return { kind: 'global', text, at };
    if (lower === 'stop_') return { kind: 'stop', text, at };
    if (lower === 'save_') return { kind: 'save-end', text, at };
    if (lower.startsWith('save_')) return { kind: 'save', text: text.slice(5), at };
    const special = text === '?' ? 'unknown' : text === '.' ? 'inapplicable' : null;
    if (c === ']' || c === '}') this.errors.push({ code: 'syntax-error', severity: 'error', message: `unexpected '${c}'`, at });
    return { kind: 'value', text, at, value: { text, form: 'bare', special, at } };
  }

  private quoted(start: number, startLine: number, startLineStart: number, q: string): Token {
    const s = this.src;
    let i = start + 1;
    for (;;) {
      if (i >= s.length || s[i] === '\n' || s[i] === '\r') {
        this.pos = i;
        const at = this.loc(start, startLine, startLineStart);
        this.errors.push({ code: 'syntax-error', severity: 'error', message: `unterminated ${q === "'" ? 'single' : 'double'}-quoted string: add the closing ${q} on this line`, at });
        const text = s.slice(start + 1, i);
        return { kind: 'value', text, at, value: { text, form: 'quoted', special: null, at } };
      }
      if (s[i] === q) {
        // CIF 1.1: a quote closes only if followed by whitespace or end of input.
        if (this.cif2 || i + 1 >= s.length || isWhitespace(s.charCodeAt(i + 1))) break;
      }
      i++;
    }
    this.pos = i + 1;
    const at = this.loc(start, startLine, startLineStart);
    const text = s.slice(start + 1, i);
    return { kind: 'value', text, at, value: { text, form: 'quoted', special: null, at } };
  }

  private tripleQuoted(start: number, startLine: number, startLineStart: number, q: string): Token {
    const s = this.src;
    const delim = q.repeat(3);
    const close = s.indexOf(delim, start + 3);
    const end = close < 0 ? s.length : close;
    for (let i = start; i < end; i++) if (s.charCodeAt(i) === 10) this.newline(i);
    this.pos = close < 0 ? s.length : close + 3;
    const at = this.loc(start, startLine, startLineStart);
    if (close < 0) this.errors.push({ code: 'syntax-error', severity: 'error', message: `unterminated triple-quoted string (${delim})`, at: { ...at, endLine: at.line, endColumn: at.column + 3, length: 3 } });
    const text = s.slice(start + 3, end).replace(/\r\n?/g, '\n');
    return { kind: 'value', text, at, value: { text, form: 'quoted', special: null, at } };
  }

  private textField(start: number, startLine: number, startLineStart: number): Token {
    const s = this.src;
    // Find a line that starts with ';'.
    let i = start + 1;
    let close = -1;
    for (;;) {
      const nl = s.indexOf('\n', i);
      if (nl < 0) break;
      this.newline(nl);
      if (s[nl + 1] === ';') { close = nl + 1; break; }
      i = nl + 1;
    }
    if (close < 0) {
      this.pos = s.length;
      const at = this.loc(start, startLine, startLineStart);
      this.errors.push({ code: 'syntax-error', severity: 'error', message: 'unterminated text field: a line starting with ";" must close it', at: { ...at, endLine: at.line, endColumn: at.column + 1, length: 1 } });
      const text = s.slice(start + 1);
      return { kind: 'value', text, at, value: { text, form: 'text-field', special: null, at } };
    }
    this.pos = close + 1;
    const at = this.loc(start, startLine, startLineStart);
    // Line breaks inside the value are '\n' whatever the file uses (CRLF files give the same text).
    let text = s.slice(start + 1, close - 1);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    text = text.replace(/\r\n?/g, '\n');
    return { kind: 'value', text, at, value: { text, form: 'text-field', special: null, at } };
  }

  /** A CIF2 list or table, kept as raw text (ionpath needs no list values from the core dictionary). */
  private bracketed(start: number, startLine: number, startLineStart: number): Token {
    const s = this.src;
    const stack: string[] = [];
    let i = start;
    while (i < s.length) {
      const c = s[i];
      if (c === '\n') this.newline(i);
      if (c === '[' || c === '{') stack.push(c === '[' ? ']' : '}');
      else if (c === ']' || c === '}') {
        if (stack.pop() !== c) break;
        if (stack.length === 0) { i++; break; }
      } else if (c === "'" || c === '"') {
        const close = s.indexOf(c, i + 1);
        if (close > 0) {
          for (let k = i; k < close; k++) if (s.charCodeAt(k) === 10) this.newline(k);
          i = close;
        }
      }
      i++;
    }
    this.pos = i;
    const at = this.loc(start, startLine, startLineStart);
    if (stack.length) this.errors.push({ code: 'syntax-error', severity: 'error', message: `unclosed '${s[start]}'`, at: { ...at, endLine: at.line, endColumn: at.column + 1, length: 1 } });
    const text = s.slice(start, i);
    return { kind: 'value', text, at, value: { text, form: s[start] === '[' ? 'list' : 'table', special: null, at } };
  }
}

/** Normalise a tag for lookups: lower case, DDLm `_category.item` → `_category_item`. */
export function normaliseTag(tag: string): string {
  return tag.toLowerCase().replace('.', '_');
}

export function parseCif(text: string): CifDocument {
  const cif2 = /^\uFEFF?#\\#CIF_2\.0/.test(text);
  const lexer = new Lexer(text, cif2);
  const errors: CifSyntaxError[] = [];
  const blocks: CifFrame[] = [];
  const frameStack: CifFrame[] = [];
  let current: CifFrame | null = null;
  let seen = new Map<string, CifLocation>();
  const seenStack: Map<string, CifLocation>[] = [];
  let pendingTag: CifItem | null = null;
  let loop: CifLoop | null = null;
  let loopValues: CifValue[] = [];
  let loopCollecting = false; // true once the first value of the loop was read
  let lastAt: CifLocation | null = null;
  let orphanReported = false;

  const err = (code: CifSyntaxError['code'], message: string, at: CifLocation, severity: CifSyntaxError['severity'] = 'error') =>
    errors.push({ code, message, at, severity });

  const checkDuplicate = (key: string, tag: string, at: CifLocation) => {
    const prev = seen.get(key);
    if (prev) err('duplicate-tag', `duplicate tag ${tag} (first defined on line ${prev.line + 1})`, at);
    else seen.set(key, at);
  };

  const finishLoop = () => {
    if (!loop) return;
    const n = loop.tags.length;
    if (n === 0) {
      err('syntax-error', 'loop_ without tags', loop.at);
    } else if (loopValues.length === 0) {
      err('loop-count', `loop has ${n} tag${n > 1 ? 's' : ''} but no values`, loop.at);
    } else {
      const full = Math.floor(loopValues.length / n);
      for (let r = 0; r < full; r++) loop.rows.push(loopValues.slice(r * n, r * n + n));
      const extra = loopValues.length % n;
      if (extra) {
        const first = loopValues[full * n];
        const last = loopValues[loopValues.length - 1];
        err('loop-count', `loop has ${loopValues.length} values for ${n} tags: not a multiple (the last row has ${extra} value${extra > 1 ? 's' : ''}, ${n - extra} missing)`,
          { ...first.at, endLine: last.at.endLine, endColumn: last.at.endColumn });
      }
      loop.end = loopValues[loopValues.length - 1].at;
    }
    current?.loops.push(loop);
    loop = null;
    loopValues = [];
    loopCollecting = false;
  };

  const finishPendingTag = () => {
    if (pendingTag) {
      err('syntax-error', `tag ${pendingTag.tag} has no value`, pendingTag.tagAt);
      current?.items.push(pendingTag);
      pendingTag = null;
    }
  };

  const closeFrame = (frame: CifFrame | null) => {
    if (frame && lastAt) frame.end = lastAt;
  };

  for (let tok = lexer.next(); tok; tok = lexer.next()) {
    switch (tok.kind) {
      case 'data':
      case 'global': {
        finishLoop(); finishPendingTag();
        while (frameStack.length) {
          closeFrame(current);
          err('syntax-error', `save frame ${current?.name} is not closed (save_ missing)`, current!.at);
          current = frameStack.pop()!;
          seen = seenStack.pop()!;
        }
        closeFrame(current);
        if (tok.kind === 'data' && tok.text === '') err('syntax-error', 'data_ needs a block name', tok.at);
        current = { name: tok.kind === 'data' ? tok.text : 'global_', at: tok.at, end: tok.at, items: [], loops: [], saveFrames: [] };
        blocks.push(current);
        seen = new Map();
        orphanReported = false;
        break;
      }
      case 'save': {
        finishLoop(); finishPendingTag();
        if (!current) { err('syntax-error', 'save frame outside a data block', tok.at); break; }
        const frame: CifFrame = { name: tok.text, at: tok.at, end: tok.at, items: [], loops: [], saveFrames: [] };
        current.saveFrames.push(frame);
        frameStack.push(current);
        seenStack.push(seen);
        current = frame;
        seen = new Map();
        break;
      }
      case 'save-end': {
        finishLoop(); finishPendingTag();
        if (!frameStack.length) { err('syntax-error', 'save_ without an open save frame', tok.at); break; }
        lastAt = tok.at;
        closeFrame(current);
        current = frameStack.pop()!;
        seen = seenStack.pop()!;
        break;
      }
      case 'loop': {
        finishLoop(); finishPendingTag();
        if (!current) { err('syntax-error', 'loop_ outside a data block (add a data_ header first)', tok.at); }
        loop = { at: tok.at, end: tok.at, tags: [], rows: [] };
        break;
      }
      case 'stop': {
        finishLoop(); finishPendingTag();
        break;
      }
      case 'tag': {
        if (loop && !loopCollecting) {
          const key = normaliseTag(tok.text);
          checkDuplicate(key, tok.text, tok.at);
          loop.tags.push({ tag: tok.text, key, at: tok.at });
          loop.end = tok.at;
          break;
        }
        finishLoop(); finishPendingTag();
        if (!current) {
          if (!orphanReported) err('syntax-error', `tag ${tok.text} outside a data block (add a data_ header first)`, tok.at);
          orphanReported = true;
        }
        const key = normaliseTag(tok.text);
        checkDuplicate(key, tok.text, tok.at);
        pendingTag = { tag: tok.text, key, tagAt: tok.at, value: null };
        break;
      }
      case 'value': {
        if (loop) {
          if (loop.tags.length === 0) { err('syntax-error', 'loop_ must list its tags before values', tok.at); loop = null; break; }
          loopCollecting = true;
          loopValues.push(tok.value!);
          break;
        }
        if (pendingTag) {
          pendingTag.value = tok.value!;
          current?.items.push(pendingTag);
          pendingTag = null;
          break;
        }
        if (!current) {
          if (!orphanReported) err('syntax-error', `value '${truncate(tok.text)}' outside a data block`, tok.at);
          orphanReported = true;
        } else {
          err('syntax-error', `value '${truncate(tok.text)}' has no tag`, tok.at);
        }
        break;
      }
    }
    lastAt = tok.at;
  }
  finishLoop(); finishPendingTag();
  while (frameStack.length) {
    closeFrame(current);
    err('syntax-error', `save frame ${current?.name} is not closed (save_ missing)`, current!.at);
    current = frameStack.pop()!;
  }
  closeFrame(current);
  return { version: cif2 ? '2.0' : '1.1', blocks, errors: [...lexer.errors, ...errors].sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column) };
}

function truncate(s: string): string {
  return s.length > 30 ? `${s.slice(0, 27)}...` : s;
}

/** A number read from a CIF value: `4.6930(2)` → value 4.693, su 0.0002. */
export interface CifNumber {
  value: number;
  /** Standard uncertainty, in the same units; null when not given. */
  su: number | null;
}

const NUMBER_RE = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:\((\d+)\))?$/;

/** Parse a CIF numeric value; null for `?`, `.`, or anything that is not a number. */
export function parseCifNumber(text: string): CifNumber | null {
  const m = NUMBER_RE.exec(text.trim());
  if (!m) return null;
  const value = Number(m[1]);
  if (!Number.isFinite(value)) return null;
  let su: number | null = null;
  if (m[2] !== undefined) {
    // The uncertainty applies to the last digits of the mantissa.
    const mantissa = m[1].replace(/[eE].*$/, '');
    const exp = /[eE]([+-]?\d+)$/.exec(m[1]);
    const dot = mantissa.indexOf('.');
    const decimals = dot < 0 ? 0 : mantissa.length - dot - 1;
    // Built as a decimal literal ("2e-4"), so that 4.6930(2) gives exactly 0.0002 rather than 2 * 1e-4.
    su = Number(`${m[2]}e${-decimals + (exp ? Number(exp[1]) : 0)}`);
  }
  return { value, su };
}

/** Look up a tag's single value or its loop column in a frame (first match). */
export function findItem(frame: CifFrame, ...keys: string[]): CifItem | undefined {
  for (const key of keys) {
    const it = frame.items.find((i) => i.key === key);
    if (it) return it;
  }
  return undefined;
}

/** The loop containing any of the keys, with the column index of each requested key (-1 when absent). */
export function findLoop(frame: CifFrame, ...keys: string[]): { loop: CifLoop; column(key: string): number } | undefined {
  for (const loop of frame.loops) {
    if (loop.tags.some((t) => keys.includes(t.key))) {
      return { loop, column: (key) => loop.tags.findIndex((t) => t.key === key) };
    }
  }
  return undefined;
}
