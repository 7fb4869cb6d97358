// Tokenizes CIF samples with the real TextMate grammar (vscode-textmate + oniguruma, as VS Code
// does) and checks the scopes of specific tokens.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

const root = process.cwd();
let grammar: vsctm.IGrammar;

before(async () => {
  await oniguruma.loadWASM(readFileSync(join(root, 'node_modules/vscode-oniguruma/release/onig.wasm')));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== 'source.cif') return null;
      const file = join(root, 'syntaxes/cif.tmLanguage.json');
      return vsctm.parseRawGrammar(readFileSync(file, 'utf8'), file);
    },
  });
  const g = await registry.loadGrammar('source.cif');
  assert.ok(g, 'grammar source.cif loads');
  grammar = g;
});

interface Tok { line: number; text: string; start: number; scopes: string[] }

function tokenize(src: string): Tok[][] {
  let stack = vsctm.INITIAL;
  return src.split('\n').map((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t) => ({ line: i, text: line.slice(t.startIndex, t.endIndex), start: t.startIndex, scopes: t.scopes }));
  });
}

/** The token on `line` whose text is exactly `text` (the `nth` such, 0-based). */
function tok(lines: Tok[][], line: number, text: string, nth = 0): Tok {
  const found = lines[line].filter((t) => t.text === text);
  assert.ok(found.length > nth, `no token ${JSON.stringify(text)} on line ${line}: ${JSON.stringify(lines[line].map((t) => t.text))}`);
  return found[nth];
}

function hasScope(t: Tok, scope: string): void {
  assert.ok(t.scopes.includes(scope), `${JSON.stringify(t.text)} (line ${t.line}) has ${scope}; got ${t.scopes.join(' ')}`);
}
function lacksScope(t: Tok, prefix: string): void {
  assert.ok(!t.scopes.some((s) => s.startsWith(prefix)), `${JSON.stringify(t.text)} (line ${t.line}) should have no ${prefix}*; got ${t.scopes.join(' ')}`);
}

const SAMPLE = [
  '#\\#CIF_1.1',                                             // 0
  '# ionpath test structure',                                // 1
  'data_LiFePO4',                                            // 2
  '_cell_length_a 4.6930(2)',                                // 3
  '_cell_angle_beta -0.25',                                  // 4
  '_cell.volume 1.2e-3(4)',                                  // 5
  '_exptl_crystal_colour ?',                                 // 6
  '_chemical_name_mineral .',                                // 7
  "_publ_author_name 'O'Brien, P.'",                         // 8
  '_chemical_name_common "triphylite "LFP"-type"',          // 9
  '_journal_name_full',                                      // 10
  ';',                                                       // 11
  '_not_a_tag inside a text field',                          // 12
  ';',                                                       // 13
  'loop_',                                                   // 14
  '_atom_site_label',                                        // 15
  '_atom_site_fract_x',                                      // 16
  'Li1 0.0 # trailing comment',                              // 17
  "_audit_creation_method '''two",                           // 18
  "lines'''",                                                // 19
  'save_frame1',                                             // 20
  'save_',                                                   // 21
  'a#b 1.2.3 ?x',                                            // 22
].join('\n');

test('data block header: data_ prefix and block name', () => {
  const lines = tokenize(SAMPLE);
  hasScope(tok(lines, 2, 'data_'), 'keyword.other.data.cif');
  hasScope(tok(lines, 2, 'LiFePO4'), 'entity.name.section.data-block.cif');
});

test('tags, DDL1 and DDLm forms, are one token', () => {
  const lines = tokenize(SAMPLE);
  hasScope(tok(lines, 3, '_cell_length_a'), 'variable.other.tag.cif');
  hasScope(tok(lines, 5, '_cell.volume'), 'variable.other.tag.cif');
  hasScope(tok(lines, 16, '_atom_site_fract_x'), 'variable.other.tag.cif');
});

test('loop_ keyword', () => {
  const lines = tokenize(SAMPLE);
  hasScope(tok(lines, 14, 'loop_'), 'keyword.control.loop.cif');
});

test('numbers with standard uncertainty', () => {
  const lines = tokenize(SAMPLE);
  const value = tok(lines, 3, '4.6930');
  hasScope(value, 'constant.numeric.cif');
  lacksScope(value, 'constant.numeric.uncertainty');
  const su = tok(lines, 3, '(2)');
  hasScope(su, 'constant.numeric.cif');
  hasScope(su, 'constant.numeric.uncertainty.cif');
  hasScope(tok(lines, 4, '-0.25'), 'constant.numeric.cif');
  hasScope(tok(lines, 5, '1.2e-3'), 'constant.numeric.cif');
  hasScope(tok(lines, 5, '(4)'), 'constant.numeric.uncertainty.cif');
  hasScope(tok(lines, 17, '0.0'), 'constant.numeric.cif');
});

test('special values ? and .', () => {
  const lines = tokenize(SAMPLE);
  hasScope(tok(lines, 6, '?'), 'constant.language.unknown.cif');
  hasScope(tok(lines, 7, '.'), 'constant.language.inapplicable.cif');
});

test('unquoted values: not numbers, not comments, not specials', () => {
  const lines = tokenize(SAMPLE);
  hasScope(tok(lines, 17, 'Li1'), 'string.unquoted.cif');
  const ab = tok(lines, 22, 'a#b');
  hasScope(ab, 'string.unquoted.cif');
  lacksScope(ab, 'comment');
  const dots = tok(lines, 22, '1.2.3');
  hasScope(dots, 'string.unquoted.cif');
  lacksScope(dots, 'constant.numeric');
  const qx = tok(lines, 22, '?x');
  hasScope(qx, 'string.unquoted.cif');
  lacksScope(qx, 'constant.language');
});

test("CIF 1.1 quoted strings: 'O'Brien' is one string", () => {
  const lines = tokenize(SAMPLE);
  const body = tok(lines, 8, "O'Brien, P.");
  hasScope(body, 'string.quoted.single.cif');
  const quotes = lines[8].filter((t) => t.text === "'");
  assert.equal(quotes.length, 2, 'only the opening and the closing quote are delimiters');
  hasScope(quotes[0], 'punctuation.definition.string.begin.cif');
  hasScope(quotes[1], 'punctuation.definition.string.end.cif');
  assert.equal(quotes[1].start, lines[8].at(-1)!.start, 'the closing quote is the last one on the line');

  hasScope(tok(lines, 9, 'triphylite "LFP"-type'), 'string.quoted.double.cif');
  assert.equal(lines[9].filter((t) => t.scopes.includes('string.quoted.double.cif')).length, 3, 'open quote, body, close quote');
});

test('a quote not followed by whitespace does not close a CIF 1.1 string', () => {
  const lines = tokenize("_a 'it's' 'x'y\n_b 'ok'");
  hasScope(tok(lines, 0, "it's"), 'string.quoted.single.cif');
  // 'x'y never closes: flagged, and the next line is unaffected.
  hasScope(tok(lines, 0, "'x'y"), 'invalid.illegal.unterminated-string.cif');
  hasScope(tok(lines, 1, '_b'), 'variable.other.tag.cif');
  hasScope(tok(lines, 1, 'ok'), 'string.quoted.single.cif');
});

test('semicolon text field over three lines hides what is inside', () => {
  const lines = tokenize(SAMPLE);
  const open = tok(lines, 11, ';');
  hasScope(open, 'string.unquoted.text-field.cif');
  hasScope(open, 'punctuation.definition.string.begin.cif');
  const middle = tok(lines, 12, '_not_a_tag inside a text field');
  hasScope(middle, 'string.unquoted.text-field.cif');
  lacksScope(middle, 'variable.other.tag');
  const close = tok(lines, 13, ';');
  hasScope(close, 'punctuation.definition.string.end.cif');
  // After the field, ordinary tokenizing resumes.
  hasScope(tok(lines, 14, 'loop_'), 'keyword.control.loop.cif');
  lacksScope(tok(lines, 14, 'loop_'), 'string');
});

test('a semicolon not in column 0 does not open a text field', () => {
  const lines = tokenize('_a x;y\n _b ;\n_c 1');
  hasScope(tok(lines, 0, 'x;y'), 'string.unquoted.cif');
  hasScope(tok(lines, 1, ';'), 'string.unquoted.cif');
  lacksScope(tok(lines, 1, ';'), 'string.unquoted.text-field');
  hasScope(tok(lines, 2, '_c'), 'variable.other.tag.cif');
});

test('triple-quoted string spans lines', () => {
  const lines = tokenize(SAMPLE);
  hasScope(tok(lines, 18, "'''"), 'punctuation.definition.string.begin.cif');
  hasScope(tok(lines, 18, 'two'), 'string.quoted.triple.cif');
  hasScope(tok(lines, 19, 'lines'), 'string.quoted.triple.cif');
  hasScope(tok(lines, 19, "'''"), 'punctuation.definition.string.end.cif');
  hasScope(tok(lines, 20, 'save_'), 'keyword.other.save-frame.cif');

  const dq = tokenize('_x """a "quoted" word\n_not_tag"""  1');
  hasScope(tok(dq, 0, 'a "quoted" word'), 'string.quoted.triple.cif');
  hasScope(tok(dq, 1, '_not_tag'), 'string.quoted.triple.cif');
  hasScope(tok(dq, 1, '1'), 'constant.numeric.cif');
});

test('comments, and the magic comment', () => {
  const lines = tokenize(SAMPLE);
  hasScope(tok(lines, 0, '#\\#CIF_1.1'), 'comment.line.number-sign.cif');
  hasScope(tok(lines, 0, '#\\#CIF_1.1'), 'keyword.other.magic-comment.cif');
  hasScope(tok(lines, 1, '#'), 'punctuation.definition.comment.cif');
  hasScope(tok(lines, 1, ' ionpath test structure'), 'comment.line.number-sign.cif');
  hasScope(tok(lines, 17, ' trailing comment'), 'comment.line.number-sign.cif');
});

test('save frames: open with a name, close with a bare save_', () => {
  const lines = tokenize(SAMPLE);
  hasScope(tok(lines, 20, 'save_'), 'keyword.other.save-frame.cif');
  hasScope(tok(lines, 20, 'frame1'), 'entity.name.section.save-frame.cif');
  hasScope(tok(lines, 21, 'save_'), 'keyword.other.save-frame.cif');
  const upper = tokenize('SAVE_x\nLOOP_\nDATA_y\nglobal_');
  hasScope(tok(upper, 0, 'SAVE_'), 'keyword.other.save-frame.cif');
  hasScope(tok(upper, 1, 'LOOP_'), 'keyword.control.loop.cif');
  hasScope(tok(upper, 2, 'y'), 'entity.name.section.data-block.cif');
  hasScope(tok(upper, 3, 'global_'), 'keyword.other.global.cif');
});

test('CIF 2.0: lists and tables, and quotes close at the next matching quote', () => {
  const src = [
    '#\\#CIF_2.0',
    'data_cif2',
    "_a ['x y' 1.5(3) [2 .] {'k':v \"n\": ?}]",
    "_b 'don't'",
    "_c '''it's",
    "fine'''",
  ].join('\n');
  const lines = tokenize(src);
  hasScope(tok(lines, 0, '#\\#CIF_2.0'), 'keyword.other.magic-comment.cif');
  hasScope(tok(lines, 1, 'cif2'), 'entity.name.section.data-block.cif');
  const open = tok(lines, 2, '[');
  hasScope(open, 'punctuation.definition.list.begin.cif');
  hasScope(tok(lines, 2, 'x y'), 'string.quoted.single.cif');
  hasScope(tok(lines, 2, 'x y'), 'meta.structure.list.cif');
  hasScope(tok(lines, 2, '1.5'), 'constant.numeric.cif');
  hasScope(tok(lines, 2, '(3)'), 'constant.numeric.uncertainty.cif');
  hasScope(tok(lines, 2, '.'), 'constant.language.inapplicable.cif');
  hasScope(tok(lines, 2, '?'), 'constant.language.unknown.cif');
  hasScope(tok(lines, 2, 'k'), 'meta.mapping.key.cif');
  hasScope(tok(lines, 2, ':'), 'punctuation.separator.key-value.cif');
  hasScope(tok(lines, 2, 'v'), 'string.unquoted.cif');
  hasScope(tok(lines, 2, 'v'), 'meta.structure.table.cif');
  hasScope(tok(lines, 2, ']', 1), 'punctuation.definition.list.end.cif');
  // CIF 2.0 rule: 'don' is the string, t' is not part of it.
  hasScope(tok(lines, 3, 'don'), 'string.quoted.single.cif');
  hasScope(tok(lines, 4, "it's"), 'string.quoted.triple.cif');
  hasScope(tok(lines, 5, 'fine'), 'string.quoted.triple.cif');
});

test('without the CIF 2.0 magic comment, CIF 1.1 quoting applies', () => {
  const lines = tokenize("data_x\n_b 'don't'");
  hasScope(tok(lines, 1, "don't"), 'string.quoted.single.cif');
});
