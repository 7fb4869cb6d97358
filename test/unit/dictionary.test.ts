import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CIF_TAGS, lookupTag, tagCompletions } from '../../src/compute/language/dictionary';

test('the dictionary has at least 80 tags, all complete', () => {
  assert.ok(CIF_TAGS.size >= 80, `only ${CIF_TAGS.size} tags`);
  for (const [key, info] of CIF_TAGS) {
    assert.equal(key, key.toLowerCase(), `key ${key} is lower case`);
    assert.equal(info.tag.toLowerCase(), key, `key ${key} matches its tag ${info.tag}`);
    assert.match(info.tag, /^_\S+$/, `${key}: tag is a data name`);
    assert.ok(info.title.trim().length > 0, `${key}: title`);
    assert.ok(info.description.trim().length > 0, `${key}: description`);
    assert.ok(info.category.trim().length > 0, `${key}: category`);
    assert.ok(key.startsWith('_' + info.category) || key.startsWith('_cod_'), `${key}: in category ${info.category}`);
    if (info.units !== undefined) assert.ok(info.units.trim().length > 0, `${key}: units, when given, are not empty`);
  }
});

test('the categories the brief asks for are covered', () => {
  const need = [
    '_cell_length_a', '_cell_angle_gamma', '_cell_volume', '_cell_formula_units_z', '_cell_measurement_temperature',
    '_space_group_name_h-m_alt', '_space_group_name_hall', '_space_group_it_number', '_space_group_crystal_system',
    '_space_group_symop_id', '_space_group_symop_operation_xyz',
    '_atom_site_label', '_atom_site_type_symbol', '_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_fract_z',
    '_atom_site_cartn_x', '_atom_site_occupancy', '_atom_site_u_iso_or_equiv', '_atom_site_b_iso_or_equiv',
    '_atom_site_adp_type', '_atom_site_site_symmetry_multiplicity', '_atom_site_wyckoff_symbol', '_atom_site_calc_flag',
    '_atom_site_refinement_flags', '_atom_site_disorder_assembly', '_atom_site_disorder_group', '_atom_site_site_symmetry_order',
    '_atom_site_aniso_label', '_atom_site_aniso_u_11', '_atom_site_aniso_u_23',
    '_atom_type_symbol', '_atom_type_oxidation_number', '_atom_type_number_in_cell', '_atom_type_scat_source',
    '_chemical_formula_sum', '_chemical_formula_moiety', '_chemical_formula_weight', '_chemical_formula_structural',
    '_chemical_name_systematic', '_chemical_name_common', '_chemical_name_mineral',
    '_exptl_crystal_density_diffrn', '_exptl_crystal_colour',
    '_diffrn_radiation_wavelength', '_diffrn_radiation_type', '_diffrn_ambient_temperature',
    '_diffrn_measurement_device_type', '_diffrn_reflns_number',
    '_refine_ls_r_factor_all', '_refine_ls_wr_factor_ref', '_refine_ls_goodness_of_fit_ref',
    '_publ_section_title', '_publ_author_name', '_publ_section_references',
    '_journal_name_full', '_journal_volume', '_journal_page_first', '_journal_year', '_journal_coden_astm',
    '_database_code_icsd', '_audit_creation_date', '_audit_creation_method', '_computing_structure_refinement',
  ];
  for (const k of need) assert.ok(CIF_TAGS.has(k), `missing ${k}`);
  assert.ok([...CIF_TAGS.keys()].filter((k) => k.startsWith('_pd_')).length >= 3, 'a few powder tags');
});

test('units where they apply', () => {
  assert.equal(lookupTag('_cell_length_a')?.units, 'Å');
  assert.equal(lookupTag('_cell_angle_beta')?.units, 'degrees');
  assert.equal(lookupTag('_cell_volume')?.units, 'Å³');
  assert.equal(lookupTag('_cell_measurement_temperature')?.units, 'K');
  assert.equal(lookupTag('_atom_site_U_iso_or_equiv')?.units, 'Å²');
  assert.equal(lookupTag('_atom_site_fract_x')?.units, undefined);
});

test('lookup is case-insensitive and keeps the canonical spelling', () => {
  const a = lookupTag('_CELL_LENGTH_A');
  assert.ok(a);
  assert.equal(a.tag, '_cell_length_a');
  assert.equal(lookupTag('_Atom_Site_U_Iso_Or_Equiv')?.tag, '_atom_site_U_iso_or_equiv');
  assert.equal(lookupTag('_space_group_name_h-m_alt')?.tag, '_space_group_name_H-M_alt');
  assert.equal(lookupTag('_no_such_tag'), undefined);
  assert.equal(lookupTag(''), undefined);
});

test('DDLm / CIF 2.0 dotted names', () => {
  assert.equal(lookupTag('_cell.length_a')?.tag, '_cell_length_a');
  assert.equal(lookupTag('_Cell.Length_A')?.tag, '_cell_length_a');
  assert.equal(lookupTag('_atom_site.fract_x')?.tag, '_atom_site_fract_x');
  assert.equal(lookupTag('_atom_site_aniso.U_11')?.tag, '_atom_site_aniso_U_11');
  assert.equal(lookupTag('_space_group_symop.operation_xyz')?.tag, '_space_group_symop_operation_xyz');
  assert.equal(lookupTag('_space_group.IT_number')?.tag, '_space_group_IT_number');
  assert.equal(lookupTag('_diffrn_radiation_wavelength.value')?.tag, '_diffrn_radiation_wavelength');
  assert.equal(lookupTag('_cell.no_such_item'), undefined);
});

test('older names resolve to their replacements', () => {
  const cases: [string, string][] = [
    ['_symmetry_equiv_pos_as_xyz', '_space_group_symop_operation_xyz'],
    ['_symmetry_equiv_pos_site_id', '_space_group_symop_id'],
    ['_symmetry_space_group_name_H-M', '_space_group_name_H-M_alt'],
    ['_SYMMETRY_SPACE_GROUP_NAME_H-M', '_space_group_name_H-M_alt'],
    ['_symmetry_space_group_name_Hall', '_space_group_name_Hall'],
    ['_symmetry_Int_Tables_number', '_space_group_IT_number'],
    ['_symmetry_cell_setting', '_space_group_crystal_system'],
    ['_atom_site_thermal_displace_type', '_atom_site_adp_type'],
    ['_atom_site_symmetry_multiplicity', '_atom_site_site_symmetry_multiplicity'],
    ['_symmetry_equiv.pos_as_xyz', '_space_group_symop_operation_xyz'],
  ];
  for (const [alias, canonical] of cases) assert.equal(lookupTag(alias)?.tag, canonical, alias);
  assert.ok(lookupTag('_space_group_symop_operation_xyz')?.aliases?.includes('_symmetry_equiv_pos_as_xyz'));
  // Aliases are not keys of their own.
  assert.equal(CIF_TAGS.has('_symmetry_equiv_pos_as_xyz'), false);
});

test('completions by prefix', () => {
  const cell = tagCompletions('_cell_length');
  assert.deepEqual(cell.map((t) => t.tag), ['_cell_length_a', '_cell_length_b', '_cell_length_c']);
  const upper = tagCompletions('_ATOM_SITE_FRACT');
  assert.deepEqual(upper.map((t) => t.tag), ['_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_fract_z']);
  assert.deepEqual(tagCompletions('_cell.length').map((t) => t.tag), ['_cell_length_a', '_cell_length_b', '_cell_length_c']);

  const aniso = tagCompletions('_atom_site_aniso_');
  assert.ok(aniso.length >= 8);
  assert.ok(aniso.every((t) => t.tag.toLowerCase().startsWith('_atom_site_aniso_')));
  const keys = aniso.map((t) => t.tag.toLowerCase());
  assert.deepEqual(keys, [...keys].sort(), 'sorted');

  assert.equal(tagCompletions('_zzz').length, 0);
  assert.equal(tagCompletions('_').length, CIF_TAGS.size);
  assert.equal(tagCompletions('').length, CIF_TAGS.size);
});
