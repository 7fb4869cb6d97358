/**
 * The CIF 1.1 / 2.0 reader: values with their exact 0-based locations, the quoting rules of both
 * versions, text fields, loops, save frames, located syntax errors, and numbers with uncertainties.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCif, parseCifNumber, normaliseTag, findItem, findLoop, type CifFrame, type CifItem, type CifLocation } from '../../src/compute/cif/parser';

/** The single data block of a document (fails the test when there is not exactly one). */
function block(text: string): CifFrame {
  const doc = parseCif(text);
  assert.equal(doc.blocks.length, 1, `expected one data block, got ${doc.blocks.length}`);
  return doc.blocks[0];
}

function item(frame: CifFrame, key: string): CifItem {
  const it = findItem(frame, key);
  assert.ok(it, `no item ${key}`);
  return it;
}

/** The text a location points at, when it lies on one line. */
function at(text: string, loc: CifLocation): string {
  const line = text.split('\n')[loc.line];
  return line.slice(loc.column, loc.column + loc.length);
}

const near = (actual: number | null | undefined, expected: number, msg?: string) =>
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), msg ?? `${actual} ≠ ${expected}`);

// ---- tokens and locations ---------------------------------------------------------------------

test('items carry 0-based locations of tag and value', () => {
  const text = 'data_test\n_cell_length_a   4.6930(2)\n  _cell_length_b 6.0\n';
  const doc = parseCif(text);
  assert.deepEqual(doc.errors, []);
  assert.equal(doc.version, '1.1');
  const b = doc.blocks[0];
  assert.equal(b.name, 'test');
  assert.deepEqual(b.at, { line: 0, column: 0, length: 9, endLine: 0, endColumn: 9 });
  const a = item(b, '_cell_length_a');
  assert.deepEqual(a.tagAt, { line: 1, column: 0, length: 14, endLine: 1, endColumn: 14 });
  assert.deepEqual(a.value?.at, { line: 1, column: 17, length: 9, endLine: 1, endColumn: 26 });
  assert.equal(a.value?.text, '4.6930(2)');
  assert.equal(a.value?.form, 'bare');
  assert.equal(a.value?.special, null);
  const bb = item(b, '_cell_length_b');
  assert.equal(bb.tagAt.column, 2);
  assert.equal(at(text, bb.value!.at), '6.0');
  // The block ends at its last token.
  assert.equal(b.end.line, 2);
});

test('tags are matched case-insensitively; CIF2 dotted tags normalise to underscores', () => {
  assert.equal(normaliseTag('_Cell_Length_A'), '_cell_length_a');
  assert.equal(normaliseTag('_cell.length_a'), '_cell_length_a');
  const b = block('data_x\n_CELL_LENGTH_A 5\n_space_group.IT_number 62\n');
  assert.equal(item(b, '_cell_length_a').tag, '_CELL_LENGTH_A');
  assert.equal(item(b, '_space_group_it_number').value?.text, '62');
});

test('comments are skipped, but # inside a bare value belongs to the value', () => {
  const text = '# header comment\ndata_x # trailing\n_a abc#def # comment\n#_b 2\n';
  const doc = parseCif(text);
  assert.deepEqual(doc.errors, []);
  const b = doc.blocks[0];
  assert.equal(item(b, '_a').value?.text, 'abc#def');
  assert.equal(findItem(b, '_b'), undefined);
});

test('? and . are special only when bare', () => {
  const b = block("data_x\n_a ?\n_b .\n_c '?'\n_d '.'\n_e .5\n");
  assert.equal(item(b, '_a').value?.special, 'unknown');
  assert.equal(item(b, '_b').value?.special, 'inapplicable');
  assert.equal(item(b, '_c').value?.special, null);
  assert.equal(item(b, '_c').value?.text, '?');
  assert.equal(item(b, '_d').value?.special, null);
  assert.equal(item(b, '_e').value?.special, null);
});

// ---- quoting -----------------------------------------------------------------------------------

test("CIF 1.1: a quote closes only before whitespace, so 'O'Brien' is one value", () => {
  // "say "hi" now" is two values in CIF 1.1: the quote after hi is followed by a blank and closes.
  assert.equal(item(block('data_x\n_b "say "hi" now"\n'), '_b').value?.text, 'say "hi');
  const text = `data_x\n_a 'O'Brien'\n_b "say "hi"there"\n_c 'plain'\n_d 'a' \n_e "it's"\n`;
  const doc = parseCif(text);
  assert.deepEqual(doc.errors, []);
  const b = doc.blocks[0];
  assert.equal(item(b, '_a').value?.text, "O'Brien");
  assert.equal(item(b, '_a').value?.form, 'quoted');
  // The location covers the delimiters.
  assert.equal(at(text, item(b, '_a').value!.at), "'O'Brien'");
  assert.equal(item(b, '_b').value?.text, 'say "hi"there');
  assert.equal(item(b, '_c').value?.text, 'plain');
  assert.equal(item(b, '_d').value?.text, 'a');
  assert.equal(item(b, '_e').value?.text, "it's");
});

test('a quoted value at the very end of the input closes', () => {
  const b = block("data_x\n_a 'end'");
  assert.equal(item(b, '_a').value?.text, 'end');
});

test('an unterminated quote is a located error on its line, and parsing goes on', () => {
  const text = "data_x\n_a 'open\n_b 2\n";
  const doc = parseCif(text);
  assert.equal(doc.errors.length, 1);
  const e = doc.errors[0];
  assert.equal(e.code, 'syntax-error');
  assert.equal(e.severity, 'error');
  assert.match(e.message, /unterminated single-quoted/);
  assert.equal(e.at.line, 1);
  assert.equal(e.at.column, 3);
  assert.equal(item(doc.blocks[0], '_a').value?.text, 'open');
  assert.equal(item(doc.blocks[0], '_b').value?.text, '2');
});

// ---- text fields ---------------------------------------------------------------------------------

test('text fields: ; in column 0 opens and closes; content keeps its lines', () => {
  const text = 'data_x\n_title\n;\nLithium iron phosphate\n  second line; not a close\n;\n_after 1\n';
  const doc = parseCif(text);
  assert.deepEqual(doc.errors, []);
  const v = item(doc.blocks[0], '_title').value!;
  assert.equal(v.form, 'text-field');
  assert.equal(v.text, '\nLithium iron phosphate\n  second line; not a close');
  assert.equal(v.at.line, 2);
  assert.equal(v.at.column, 0);
  assert.equal(v.at.endLine, 5);
  assert.equal(v.at.endColumn, 1);
  assert.equal(item(doc.blocks[0], '_after').value?.text, '1');
  assert.equal(item(doc.blocks[0], '_after').tagAt.line, 6);
});

test('text field on the opening line, and ; not in column 0 is an ordinary value', () => {
  const b = block('data_x\n_a\n;one line\n;\n_b ;notfield\n');
  assert.equal(item(b, '_a').value?.text, 'one line');
  assert.equal(item(b, '_b').value?.text, ';notfield');
  assert.equal(item(b, '_b').value?.form, 'bare');
});

test('an unterminated text field is reported at its opening line', () => {
  const doc = parseCif('data_x\n_a 1\n_b\n;never closed\n_c 3\n');
  assert.equal(doc.errors.length, 1);
  assert.equal(doc.errors[0].code, 'syntax-error');
  assert.match(doc.errors[0].message, /unterminated text field/);
  assert.equal(doc.errors[0].at.line, 3);
  assert.equal(doc.errors[0].at.column, 0);
});

// ---- CIF 2.0 -------------------------------------------------------------------------------------

test('CIF2: magic comment, triple quotes spanning lines, lists and tables', () => {
  const text = "#\\#CIF_2.0\ndata_x\n_a '''one\ntwo'''\n_b [1 2 [3 4]]\n_c {'k':1 'j':[5]}\n_d \"\"\"say \"hi\" \"\"\"\n_e 'x'\n";
  const doc = parseCif(text);
  assert.equal(doc.version, '2.0');
  assert.deepEqual(doc.errors, []);
  const b = doc.blocks[0];
  const a = item(b, '_a').value!;
  assert.equal(a.text, 'one\ntwo');
  assert.equal(a.form, 'quoted');
  assert.deepEqual([a.at.line, a.at.column, a.at.endLine, a.at.endColumn], [2, 3, 3, 6]);
  assert.equal(item(b, '_b').value?.form, 'list');
  assert.equal(item(b, '_b').value?.text, '[1 2 [3 4]]');
  assert.equal(item(b, '_c').value?.form, 'table');
  assert.equal(item(b, '_d').value?.text, 'say "hi" ');
  assert.equal(item(b, '_e').tagAt.line, 7, 'lines after a multi-line token are counted');
});

test("CIF2: a quote closes at the first matching quote ('O'Brien' is not one value)", () => {
  const doc = parseCif("#\\#CIF_2.0\ndata_x\n_a 'O'Brien'\n");
  assert.equal(item(doc.blocks[0], '_a').value?.text, 'O');
  assert.ok(doc.errors.length >= 1, 'the rest of the line is reported');
  // The same text in CIF 1.1 is one value.
  assert.equal(item(block("data_x\n_a 'O'Brien'\n"), '_a').value?.text, "O'Brien");
});

test('CIF2: unclosed list and unterminated triple quote are located errors', () => {
  const d1 = parseCif('#\\#CIF_2.0\ndata_x\n_a [1 2\n_b 3\n');
  assert.ok(d1.errors.some((e) => e.code === 'syntax-error' && /unclosed '\['/.test(e.message) && e.at.line === 2 && e.at.column === 3));
  const d2 = parseCif("#\\#CIF_2.0\ndata_x\n_a '''never\n");
  assert.ok(d2.errors.some((e) => /unterminated triple-quoted/.test(e.message) && e.at.line === 2 && e.at.column === 3));
});

test('CIF2: a stray closing bracket is an error, not an endless loop', () => {
  // Regression: the bare-word scan stopped at ']' without advancing and never returned.
  for (const text of ['#\\#CIF_2.0\ndata_x\n_a ]\n_b 2\n', '#\\#CIF_2.0\ndata_x\n_a [1}\n_b 2\n', '#\\#CIF_2.0\ndata_x\n}}]]\n']) {
    const doc = parseCif(text);
    assert.ok(doc.errors.some((e) => /unexpected '[\]}]'|unclosed/.test(e.message)), text);
  }
  const doc = parseCif('#\\#CIF_2.0\ndata_x\n_a ]\n_b 2\n');
  const e = doc.errors.find((x) => /unexpected/.test(x.message))!;
  assert.deepEqual([e.at.line, e.at.column, e.at.length], [2, 3, 1]);
  assert.equal(item(doc.blocks[0], '_b').value?.text, '2');
});

test('CIF 1.1: brackets are ordinary characters', () => {
  const b = block('data_x\n_a [1\n_b ]x\n');
  assert.equal(item(b, '_a').value?.text, '[1');
  assert.equal(item(b, '_b').value?.text, ']x');
});

// ---- loops ---------------------------------------------------------------------------------------

test('loops: tags, rows in order, values with locations', () => {
  const text = [
    'data_x',
    'loop_',
    '_atom_site_label',
    '_atom_site_fract_x',
    '_atom_site_occupancy',
    "Li1 0.0 1",
    "Fe1 0.28222(5) 'half'",
    'O1',
    '0.1 ?',
    '_after 5',
  ].join('\n');
  const doc = parseCif(text);
  assert.deepEqual(doc.errors, []);
  const b = doc.blocks[0];
  assert.equal(b.loops.length, 1);
  const l = b.loops[0];
  assert.deepEqual(l.tags.map((t) => t.key), ['_atom_site_label', '_atom_site_fract_x', '_atom_site_occupancy']);
  assert.deepEqual(l.tags.map((t) => t.at.line), [2, 3, 4]);
  assert.deepEqual(l.rows.map((r) => r.map((v) => v.text)), [['Li1', '0.0', '1'], ['Fe1', '0.28222(5)', 'half'], ['O1', '0.1', '?']]);
  assert.deepEqual(l.at, { line: 1, column: 0, length: 5, endLine: 1, endColumn: 5 });
  assert.equal(l.rows[1][1].at.line, 6);
  assert.equal(l.rows[1][1].at.column, 4);
  assert.equal(l.rows[2][2].special, 'unknown');
  assert.equal(l.end.line, 8);
  assert.equal(item(b, '_after').value?.text, '5');
  const found = findLoop(b, '_atom_site_fract_x');
  assert.ok(found);
  assert.equal(found.column('_atom_site_occupancy'), 2);
  assert.equal(found.column('_atom_site_fract_z'), -1);
  assert.equal(findLoop(b, '_nothing'), undefined);
});

test('loops end at the next tag, loop_, data_ or stop_', () => {
  const doc = parseCif('data_x\nloop_\n_a\n1\n2\nloop_\n_b\n3\nstop_\n_c 4\ndata_y\nloop_\n_d\n5\n');
  assert.deepEqual(doc.errors, []);
  assert.deepEqual(doc.blocks[0].loops.map((l) => l.rows.length), [2, 1]);
  assert.equal(item(doc.blocks[0], '_c').value?.text, '4');
  assert.equal(doc.blocks[1].loops[0].rows[0][0].text, '5');
});

test('loop count mismatch: error at the incomplete row, complete rows kept', () => {
  const text = 'data_x\nloop_\n_a\n_b\n_c\n1 2 3\n4 5 6\n  7 8\n_d 1\n';
  const doc = parseCif(text);
  assert.equal(doc.errors.length, 1);
  const e = doc.errors[0];
  assert.equal(e.code, 'loop-count');
  assert.equal(e.severity, 'error');
  assert.match(e.message, /8 values for 3 tags/);
  // Location: the first value of the incomplete row, through its last value.
  assert.deepEqual([e.at.line, e.at.column, e.at.endLine, e.at.endColumn], [7, 2, 7, 5]);
  assert.equal(doc.blocks[0].loops[0].rows.length, 2);
  assert.equal(item(doc.blocks[0], '_d').value?.text, '1');
});

test('loop count mismatch spanning lines points at the first value of the incomplete row', () => {
  const doc = parseCif('data_x\nloop_\n_a\n_b\n_c\n1 2 3 4\n5\n');
  const e = doc.errors.find((x) => x.code === 'loop-count')!;
  assert.deepEqual([e.at.line, e.at.column, e.at.endLine], [5, 6, 6]);
});

test('loop with tags but no values, and loop_ without tags', () => {
  const d1 = parseCif('data_x\nloop_\n_a\n_b\n_c 1\n');
  // `_c` belongs to the loop header here, so the loop has three tags and a lone value after them.
  assert.ok(d1.errors.length >= 1);
  const d2 = parseCif('data_x\nloop_\n_a\n_b\ndata_y\n');
  assert.equal(d2.errors.length, 1);
  assert.equal(d2.errors[0].code, 'loop-count');
  assert.deepEqual([d2.errors[0].at.line, d2.errors[0].at.column], [1, 0]);
  const d3 = parseCif('data_x\nloop_\nloop_\n_a\n1\n');
  assert.ok(d3.errors.some((e) => /without tags/.test(e.message) && e.at.line === 1));
  assert.equal(d3.blocks[0].loops.at(-1)?.rows.length, 1);
  const d4 = parseCif('data_x\nloop_\n1 2\n');
  assert.ok(d4.errors.some((e) => /list its tags/.test(e.message) && e.at.line === 2));
});

// ---- structural errors ---------------------------------------------------------------------------

test('duplicate tags (case-insensitive, items and loops) are located at the second one', () => {
  const doc = parseCif('data_a\n_x 1\n_X 2\nloop_\n_y\n_x\n1 2\n');
  const dups = doc.errors.filter((e) => e.code === 'duplicate-tag');
  assert.equal(dups.length, 2);
  assert.deepEqual(dups.map((e) => e.at.line), [2, 5]);
  assert.match(dups[0].message, /first defined on line 2/); // 1-based in the message
  // Another block is a fresh scope.
  assert.deepEqual(parseCif('data_a\n_x 1\ndata_b\n_x 1\n').errors, []);
});

test('values without tags and tags without values are located errors', () => {
  const doc = parseCif("data_a\n_x\n_y 2\n'lonely'\n_z\n");
  assert.deepEqual(doc.errors.map((e) => [e.code, e.at.line, e.at.column]), [['syntax-error', 1, 0], ['syntax-error', 3, 0], ['syntax-error', 4, 0]]);
  assert.match(doc.errors[0].message, /_x has no value/);
  assert.match(doc.errors[1].message, /has no tag/);
  // The tag is still listed (for the outline), with no value.
  assert.equal(item(doc.blocks[0], '_x').value, null);
});

test('content before any data_ block is reported once', () => {
  const doc = parseCif('_a 1\n_b 2\n3\ndata_x\n_c 4\n');
  assert.equal(doc.errors.length, 1);
  assert.equal(doc.errors[0].at.line, 0);
  assert.match(doc.errors[0].message, /outside a data block/);
  assert.equal(item(doc.blocks[0], '_c').value?.text, '4');
});

test('data_ without a name, several blocks, global_', () => {
  const doc = parseCif('data_\n_a 1\ndata_two\n_a 2\nglobal_\n_g 3\n');
  assert.deepEqual(doc.blocks.map((b) => b.name), ['', 'two', 'global_']);
  assert.ok(doc.errors.some((e) => /needs a block name/.test(e.message) && e.at.line === 0));
  assert.equal(item(doc.blocks[1], '_a').value?.text, '2');
  assert.equal(doc.blocks[0].end.line, 1);
});

test('save frames: own scope, nested items, unclosed and stray save_ reported', () => {
  const text = 'data_a\n_x 1\nsave_frame1\n_x 3\nloop_\n_l\n1\nsave_\n_z 5\nsave_unclosed\n_q 1\ndata_b\n_x 1\n';
  const doc = parseCif(text);
  const [a, b] = doc.blocks;
  assert.equal(a.saveFrames.length, 2);
  assert.equal(a.saveFrames[0].name, 'frame1');
  assert.equal(item(a.saveFrames[0], '_x').value?.text, '3');
  assert.equal(a.saveFrames[0].loops.length, 1);
  assert.equal(a.saveFrames[0].end.line, 7);
  assert.equal(item(a, '_x').value?.text, '1');
  assert.equal(item(a, '_z').value?.text, '5', 'items after save_ belong to the block again');
  assert.equal(findItem(a, '_q'), undefined);
  assert.equal(item(b, '_x').value?.text, '1');
  assert.deepEqual(doc.errors.map((e) => [e.code, e.at.line]), [['syntax-error', 9]]);
  assert.match(doc.errors[0].message, /save frame unclosed is not closed/);
  assert.ok(parseCif('data_a\nsave_\n').errors.some((e) => /without an open save frame/.test(e.message) && e.at.line === 1));
});

test('errors come sorted by location', () => {
  const doc = parseCif("data_x\n_a 'open\nloop_\n_b\n_c\n1\n_d\n_d 1\n");
  const pos = doc.errors.map((e) => [e.at.line, e.at.column]);
  const sorted = [...pos].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  assert.deepEqual(pos, sorted);
  assert.ok(doc.errors.length >= 3);
});

// ---- line endings and BOM --------------------------------------------------------------------------

const SAMPLE = [
  'data_sample',
  "_chemical_name_common 'O'Brien salt'",
  '_cell_length_a 4.6930(2)',
  '_description',
  ';',
  'two',
  'lines',
  ';',
  'loop_',
  '_atom_site_label',
  '_atom_site_fract_x',
  "Li1 'a b'",
  'O1 0.25',
  '',
].join('\n');

function snapshot(text: string) {
  const doc = parseCif(text);
  const b = doc.blocks[0];
  return {
    errors: doc.errors,
    name: b.name,
    items: b.items.map((i) => [i.key, i.value?.text, i.tagAt.line, i.tagAt.column, i.value?.at.line, i.value?.at.column, i.value?.at.endLine]),
    loops: b.loops.map((l) => l.rows.map((r) => r.map((v) => [v.text, v.at.line, v.at.column]))),
  };
}

test('Windows line endings give the same values and locations', () => {
  const lf = snapshot(SAMPLE);
  const crlf = snapshot(SAMPLE.replace(/\n/g, '\r\n'));
  assert.deepEqual(crlf, lf);
  assert.equal((lf.items[2][1] as string), '\ntwo\nlines', 'the line break before the closing ; is not part of the value');
  // A blank last line is content, with either line ending.
  for (const eol of ['\n', '\r\n']) assert.equal(item(block(['data_x', '_t', ';a', '', ';', ''].join(eol)), '_t').value?.text, 'a\n');
});

test('a byte-order mark is skipped (block found; columns on line 0 as an editor shows them)', () => {
  const doc = parseCif('\uFEFF' + SAMPLE);
  assert.deepEqual(doc.errors, []);
  assert.deepEqual(snapshot('\uFEFF' + SAMPLE), snapshot(SAMPLE));
  assert.deepEqual(doc.blocks[0].at, { line: 0, column: 0, length: 11, endLine: 0, endColumn: 11 });
  assert.equal(parseCif('\uFEFF#\\#CIF_2.0\ndata_x\n').version, '2.0');
  assert.equal(parseCif('\uFEFF;text\n;\n').errors[0]?.message.includes('outside a data block'), true, 'a ; right after the BOM is in column 0');
});

test('empty and whitespace-only input give no blocks and no errors', () => {
  for (const t of ['', '   \n\t\r\n', '# only a comment']) {
    const doc = parseCif(t);
    assert.deepEqual(doc.blocks, []);
    assert.deepEqual(doc.errors, []);
  }
});

// ---- numbers -------------------------------------------------------------------------------------

test('parseCifNumber: values and standard uncertainties', () => {
  const cases: [string, number, number | null][] = [
    ['4.6930(2)', 4.693, 0.0002],
    ['1.23(4)', 1.23, 0.04],
    ['12(3)', 12, 3],
    ['1.5e-3(2)', 1.5e-3, 2e-4],
    ['1.5E+2(3)', 150, 30],
    ['2.0e1(5)', 20, 5],
    ['0.28222(5)', 0.28222, 0.00005],
    ['1.0(12)', 1, 1.2],
    ['-0.5', -0.5, null],
    ['+3', 3, null],
    ['.5', 0.5, null],
    ['1.', 1, null],
    ['1e5', 1e5, null],
    [' 0.25 ', 0.25, null],
    ['-.25(1)', -0.25, 0.01],
  ];
  for (const [text, value, su] of cases) {
    const n = parseCifNumber(text);
    assert.ok(n, `${text} should parse`);
    near(n.value, value, `${text}: value ${n.value}`);
    if (su === null) assert.equal(n.su, null, `${text}: su`);
    else near(n.su, su, `${text}: su ${n.su} ≠ ${su}`);
  }
  // Exactly the decimal value, not 2 × 1e-4 = 0.00019999999999999998.
  assert.equal(parseCifNumber('4.6930(2)')?.su, 0.0002);
});

test('parseCifNumber: ? . and non-numbers are null', () => {
  for (const t of ['?', '.', '', 'abc', '1.2.3', '1(2', '(2)', '1e', '1e999', 'NaN', 'Infinity', '0x10', '1,5', '1.2(3)e4', '--1']) {
    assert.equal(parseCifNumber(t), null, `'${t}'`);
  }
});
