/**
 * A compact, hand-written digest of the CIF core dictionary (plus a few powder, COD and ICSD
 * tags) for hovers and completions. Descriptions are ionpath's own short summaries, not the
 * dictionary's text. Keys are the DDL1 names in lower case; `lookupTag` also understands the DDLm /
 * CIF 2.0 dotted names (`_cell.length_a`) and the older DDL1 names that were later replaced
 * (`_symmetry_equiv_pos_as_xyz`, ...). Plain TypeScript: no editor imports.
 */

export interface TagInfo {
  /** The canonical DDL1 name, in the dictionary's own capitalisation (`_atom_site_U_iso_or_equiv`). */
  tag: string;
  title: string;
  description: string;
  units?: string;
  /** The DDL1 category (`cell`, `atom_site`, `space_group_symop`, ...). */
  category: string;
  /** Older names that mean the same thing and resolve to this entry, as written in files. */
  aliases?: readonly string[];
}

const A = 'Å';
const DEG = 'degrees';
const A2 = 'Å²';

// [tag, title, category, units, description, aliases?]
type Row = [string, string, string, string | undefined, string, (readonly string[])?];

const ROWS: Row[] = [
  // ---- cell ----------------------------------------------------------------------------------
  ['_cell_length_a', 'Cell length a', 'cell', A, 'Length of the first unit-cell edge. Together with b, c and the three angles it fixes the lattice every fractional coordinate refers to.'],
  ['_cell_length_b', 'Cell length b', 'cell', A, 'Length of the second unit-cell edge.'],
  ['_cell_length_c', 'Cell length c', 'cell', A, 'Length of the third unit-cell edge.'],
  ['_cell_angle_alpha', 'Cell angle α', 'cell', DEG, 'Angle between the b and c edges of the unit cell.'],
  ['_cell_angle_beta', 'Cell angle β', 'cell', DEG, 'Angle between the a and c edges of the unit cell; the one that differs from 90° in a monoclinic cell in the usual setting.'],
  ['_cell_angle_gamma', 'Cell angle γ', 'cell', DEG, 'Angle between the a and b edges of the unit cell; 120° for hexagonal and trigonal (hexagonal axes) cells.'],
  ['_cell_volume', 'Cell volume', 'cell', 'Å³', 'Volume of the unit cell. It should agree with the value computed from the lengths and angles; a mismatch usually means a typing error in one of them.'],
  ['_cell_formula_units_Z', 'Formula units per cell (Z)', 'cell', undefined, 'How many formula units (as given in _chemical_formula_sum) the unit cell contains. Used to check the composition implied by the atom sites against the stated formula.'],
  ['_cell_measurement_temperature', 'Cell measurement temperature', 'cell_measurement', 'K', 'Temperature at which the cell parameters were measured. Lattice parameters, and therefore migration barriers, shift with temperature.'],
  ['_cell_measurement_pressure', 'Cell measurement pressure', 'cell_measurement', 'kPa', 'Pressure at which the cell parameters were measured; ambient unless the study is a high-pressure one.'],
  ['_cell_measurement_reflns_used', 'Reflections used for the cell', 'cell_measurement', undefined, 'Number of reflections whose positions were used to refine the cell parameters.'],
  ['_cell_measurement_theta_min', 'Cell measurement θ min', 'cell_measurement', DEG, 'Smallest Bragg angle θ among the reflections used to determine the cell.'],
  ['_cell_measurement_theta_max', 'Cell measurement θ max', 'cell_measurement', DEG, 'Largest Bragg angle θ among the reflections used to determine the cell.'],

  // ---- space group / symmetry ------------------------------------------------------------------
  ['_space_group_name_H-M_alt', 'Space group (Hermann–Mauguin)', 'space_group', undefined,
    "Hermann–Mauguin symbol of the space group, e.g. 'P n m a' or 'R -3 c :H'. The symmetry operators listed in the file generate the structure; without them ionpath takes the operators from this symbol, and where it names several settings (origin choice 1 or 2, the unique axis) it uses the standard one unless only another places the atoms, and says which.",
    ['_symmetry_space_group_name_H-M']],
  ['_space_group_name_Hall', 'Space group (Hall symbol)', 'space_group', undefined,
    'Hall symbol of the space group. Unlike the Hermann–Mauguin symbol it specifies the setting and origin without ambiguity, so operators can be generated from it.',
    ['_symmetry_space_group_name_Hall']],
  ['_space_group_IT_number', 'Space group number', 'space_group', undefined,
    'Number of the space group in International Tables for Crystallography, Vol. A (1–230). Does not identify the setting or origin choice.',
    ['_symmetry_Int_Tables_number']],
  ['_space_group_crystal_system', 'Crystal system', 'space_group', undefined,
    'Crystal system: triclinic, monoclinic, orthorhombic, tetragonal, trigonal, hexagonal or cubic.',
    ['_symmetry_cell_setting']],
  ['_space_group_symop_id', 'Symmetry operator id', 'space_group_symop', undefined,
    'Identifier of a symmetry operator, usually its sequence number; referred to by symmetry codes such as 2_655 in geometry loops.',
    ['_symmetry_equiv_pos_site_id']],
  ['_space_group_symop_operation_xyz', 'Symmetry operator (x,y,z form)', 'space_group_symop', undefined,
    "One symmetry operation written as coordinate triplets, e.g. '-x+1/2, y, -z'. ionpath applies all of them to the asymmetric-unit sites to build the full cell, so a missing or wrong line changes the structure.",
    ['_symmetry_equiv_pos_as_xyz']],

  // ---- atom_site ---------------------------------------------------------------------------------
  ['_atom_site_label', 'Atom site label', 'atom_site', undefined, 'Unique name of the site, e.g. Li1 or O2. Other loops (anisotropic ADPs, bonds) refer to the site by this label.'],
  ['_atom_site_type_symbol', 'Atom type symbol', 'atom_site', undefined, "Chemical species on the site, often with its charge, e.g. 'Li1+' or 'O2-'. When present it is preferred to guessing the element from the label."],
  ['_atom_site_fract_x', 'Fractional x', 'atom_site', undefined, 'Position of the site along a, as a fraction of the cell edge (usually between 0 and 1).'],
  ['_atom_site_fract_y', 'Fractional y', 'atom_site', undefined, 'Position of the site along b, as a fraction of the cell edge.'],
  ['_atom_site_fract_z', 'Fractional z', 'atom_site', undefined, 'Position of the site along c, as a fraction of the cell edge.'],
  ['_atom_site_Cartn_x', 'Cartesian x', 'atom_site', A, 'Cartesian x coordinate of the site. Mostly used for molecular structures; inorganic CIFs give fractional coordinates instead.'],
  ['_atom_site_Cartn_y', 'Cartesian y', 'atom_site', A, 'Cartesian y coordinate of the site.'],
  ['_atom_site_Cartn_z', 'Cartesian z', 'atom_site', A, 'Cartesian z coordinate of the site.'],
  ['_atom_site_occupancy', 'Site occupancy', 'atom_site', undefined, 'Fraction of the site occupied by this species, 1 for a full site. Partially occupied sites are typical of fast Li conductors and are kept, not rounded, by ionpath.'],
  ['_atom_site_U_iso_or_equiv', 'Isotropic displacement U', 'atom_site', A2, 'Isotropic atomic displacement parameter U, or the equivalent isotropic value of an anisotropic one. Large values on a mobile-ion site often hint at a flat energy landscape or unresolved disorder.'],
  ['_atom_site_B_iso_or_equiv', 'Isotropic displacement B', 'atom_site', A2, 'Isotropic displacement parameter in the B convention; B = 8π²U.'],
  ['_atom_site_adp_type', 'ADP type', 'atom_site', undefined,
    "How the displacement of this site was modelled: 'Uiso', 'Uani', 'Biso', 'Bani', and a few rarer codes. 'Uani' means the site has a row in the _atom_site_aniso loop.",
    ['_atom_site_thermal_displace_type']],
  ['_atom_site_site_symmetry_multiplicity', 'Site multiplicity', 'atom_site', undefined,
    'Number of equivalent positions this site generates in the conventional cell (the Wyckoff multiplicity). ICSD files use the older name _atom_site_symmetry_multiplicity.',
    ['_atom_site_symmetry_multiplicity']],
  ['_atom_site_site_symmetry_order', 'Site symmetry order', 'atom_site', undefined, 'Order of the site-symmetry group of the site: how many symmetry operations map it onto itself. Multiplicity times this order equals the order of the space group (in the conventional cell).'],
  ['_atom_site_Wyckoff_symbol', 'Wyckoff letter', 'atom_site', undefined, 'Wyckoff position of the site, e.g. 4a or 8d (often given as the letter only).'],
  ['_atom_site_calc_flag', 'Calculation flag', 'atom_site', undefined, "How the site was obtained: 'd' from diffraction data, 'calc' computed (e.g. riding hydrogens), 'dum' a dummy site (ionpath skips such rows), and similar codes."],
  ['_atom_site_refinement_flags', 'Refinement flags', 'atom_site', undefined, "Codes for constraints applied in refinement, e.g. 'P' for a constrained occupancy or 'S' for special-position constraints."],
  ['_atom_site_disorder_assembly', 'Disorder assembly', 'atom_site', undefined, 'Names a disordered region of the structure. Sites with the same assembly but different disorder groups are alternatives, not simultaneously present.'],
  ['_atom_site_disorder_group', 'Disorder group', 'atom_site', undefined, 'Which alternative configuration of a disorder assembly the site belongs to. A negative value marks groups generated by symmetry.'],
  ['_atom_site_attached_hydrogens', 'Attached hydrogens', 'atom_site', undefined, 'Number of hydrogen atoms bonded to this site that are not themselves listed as sites.'],

  // ---- atom_site_aniso ---------------------------------------------------------------------------
  ['_atom_site_aniso_label', 'Anisotropic site label', 'atom_site_aniso', undefined, 'Label of the site these anisotropic displacement parameters belong to; must match an _atom_site_label.'],
  ['_atom_site_aniso_type_symbol', 'Anisotropic site type', 'atom_site_aniso', undefined, 'Chemical species of the site in the anisotropic loop, matching _atom_type_symbol.'],
  ['_atom_site_aniso_U_11', 'U11', 'atom_site_aniso', A2, 'Anisotropic displacement tensor component U11 (along a*). Elongated ellipsoids on Li sites often point along the migration path.'],
  ['_atom_site_aniso_U_22', 'U22', 'atom_site_aniso', A2, 'Anisotropic displacement tensor component U22 (along b*).'],
  ['_atom_site_aniso_U_33', 'U33', 'atom_site_aniso', A2, 'Anisotropic displacement tensor component U33 (along c*).'],
  ['_atom_site_aniso_U_12', 'U12', 'atom_site_aniso', A2, 'Off-diagonal anisotropic displacement tensor component U12.'],
  ['_atom_site_aniso_U_13', 'U13', 'atom_site_aniso', A2, 'Off-diagonal anisotropic displacement tensor component U13.'],
  ['_atom_site_aniso_U_23', 'U23', 'atom_site_aniso', A2, 'Off-diagonal anisotropic displacement tensor component U23.'],
  ['_atom_site_aniso_B_11', 'B11', 'atom_site_aniso', A2, 'Anisotropic displacement component B11 in the B convention (B = 8π²U).'],
  ['_atom_site_aniso_B_22', 'B22', 'atom_site_aniso', A2, 'Anisotropic displacement component B22 in the B convention.'],
  ['_atom_site_aniso_B_33', 'B33', 'atom_site_aniso', A2, 'Anisotropic displacement component B33 in the B convention.'],
  ['_atom_site_aniso_B_12', 'B12', 'atom_site_aniso', A2, 'Anisotropic displacement component B12 in the B convention.'],
  ['_atom_site_aniso_B_13', 'B13', 'atom_site_aniso', A2, 'Anisotropic displacement component B13 in the B convention.'],
  ['_atom_site_aniso_B_23', 'B23', 'atom_site_aniso', A2, 'Anisotropic displacement component B23 in the B convention.'],

  // ---- atom_type ---------------------------------------------------------------------------------
  ['_atom_type_symbol', 'Atom type symbol', 'atom_type', undefined, "A species present in the structure, e.g. 'Li1+'. Site type symbols refer to these entries."],
  ['_atom_type_oxidation_number', 'Oxidation number', 'atom_type', undefined, 'Formal oxidation state of the species, e.g. 1 for Li⁺ or -2 for O²⁻. Bond-valence calculations need it; ionpath takes it from here when present and guesses it otherwise.'],
  ['_atom_type_number_in_cell', 'Number in cell', 'atom_type', undefined, 'How many atoms of this species the unit cell contains; may be fractional with partial occupancies.'],
  ['_atom_type_description', 'Atom type description', 'atom_type', undefined, 'Free-text description of the species.'],
  ['_atom_type_radius_bond', 'Bond radius', 'atom_type', A, 'Radius of the species used when deciding which atoms are bonded.'],
  ['_atom_type_scat_source', 'Scattering factor source', 'atom_type', undefined, 'Reference for the scattering factors used for this species, e.g. International Tables Vol. C.'],
  ['_atom_type_scat_dispersion_real', 'Anomalous dispersion f′', 'atom_type', undefined, 'Real part of the anomalous-dispersion correction to the scattering factor at the wavelength used.'],
  ['_atom_type_scat_dispersion_imag', 'Anomalous dispersion f″', 'atom_type', undefined, 'Imaginary part of the anomalous-dispersion correction to the scattering factor.'],

  // ---- chemical ----------------------------------------------------------------------------------
  ['_chemical_formula_sum', 'Formula (sum)', 'chemical_formula', undefined, "Element counts of one formula unit, e.g. 'Fe Li O4 P'. With Z it gives the cell contents, which ionpath compares with the atom sites."],
  ['_chemical_formula_moiety', 'Formula (moieties)', 'chemical_formula', undefined, 'Formula written as separate chemical entities (molecules, ions), each with its charge where relevant.'],
  ['_chemical_formula_structural', 'Formula (structural)', 'chemical_formula', undefined, "Formula written to show structural groups, e.g. 'Li Fe (P O4)'."],
  ['_chemical_formula_analytical', 'Formula (analytical)', 'chemical_formula', undefined, 'Composition as determined by chemical analysis, which can differ from the refined one.'],
  ['_chemical_formula_iupac', 'Formula (IUPAC)', 'chemical_formula', undefined, 'Formula written according to IUPAC conventions.'],
  ['_chemical_formula_weight', 'Formula weight', 'chemical_formula', 'g mol⁻¹', 'Mass of one formula unit as given in the formula sum.'],
  ['_chemical_name_systematic', 'Systematic name', 'chemical', undefined, 'IUPAC-style systematic name of the compound.'],
  ['_chemical_name_common', 'Common name', 'chemical', undefined, 'Trivial or common name of the compound.'],
  ['_chemical_name_mineral', 'Mineral name', 'chemical', undefined, 'Mineral name, e.g. triphylite for LiFePO₄.'],
  ['_chemical_name_structure_type', 'Structure type', 'chemical', undefined, 'Prototype structure the compound adopts, e.g. olivine or NASICON; written by ICSD and related databases.'],

  // ---- exptl ---------------------------------------------------------------------------------------
  ['_exptl_crystal_density_diffrn', 'Density (from diffraction)', 'exptl_crystal', 'Mg m⁻³ (g cm⁻³)', 'Density computed from the cell volume and its contents.'],
  ['_exptl_crystal_density_meas', 'Density (measured)', 'exptl_crystal', 'Mg m⁻³ (g cm⁻³)', 'Density measured experimentally, e.g. by flotation or pycnometry.'],
  ['_exptl_crystal_colour', 'Crystal colour', 'exptl_crystal', undefined, 'Colour of the crystal or powder.'],
  ['_exptl_crystal_description', 'Crystal description', 'exptl_crystal', undefined, 'Shape of the crystal, e.g. prism, plate, needle.'],
  ['_exptl_crystal_size_max', 'Crystal size (max)', 'exptl_crystal', 'mm', 'Largest dimension of the crystal used for data collection.'],
  ['_exptl_crystal_size_mid', 'Crystal size (mid)', 'exptl_crystal', 'mm', 'Intermediate dimension of the crystal.'],
  ['_exptl_crystal_size_min', 'Crystal size (min)', 'exptl_crystal', 'mm', 'Smallest dimension of the crystal.'],
  ['_exptl_crystal_F_000', 'F(000)', 'exptl_crystal', undefined, 'Structure factor at zero scattering angle: the number of electrons in the cell, adjusted for dispersion.'],
  ['_exptl_absorpt_coefficient_mu', 'Absorption coefficient μ', 'exptl_absorpt', 'mm⁻¹', 'Linear absorption coefficient of the sample at the wavelength used.'],
  ['_exptl_absorpt_correction_type', 'Absorption correction', 'exptl_absorpt', undefined, "Kind of absorption correction applied, e.g. 'multi-scan', 'numerical' or 'none'."],

  // ---- diffrn --------------------------------------------------------------------------------------
  ['_diffrn_ambient_temperature', 'Data collection temperature', 'diffrn', 'K', 'Temperature of the sample during data collection. Room-temperature and high-temperature structures of the same ionic conductor can differ in Li ordering.'],
  ['_diffrn_ambient_pressure', 'Data collection pressure', 'diffrn', 'kPa', 'Pressure on the sample during data collection.'],
  ['_diffrn_radiation_wavelength', 'Wavelength', 'diffrn_radiation_wavelength', A, 'Wavelength of the radiation used, e.g. 0.71073 for Mo Kα or 1.5406 for Cu Kα1.'],
  ['_diffrn_radiation_type', 'Radiation type', 'diffrn_radiation', undefined, "Radiation and emission line used, e.g. 'Mo Kα', 'Cu Kα' or 'synchrotron'."],
  ['_diffrn_radiation_probe', 'Radiation probe', 'diffrn_radiation', undefined, "Kind of particle used: 'x-ray', 'neutron', 'electron' or 'gamma'. Neutron data locate Li far more reliably than X-rays."],
  ['_diffrn_radiation_monochromator', 'Monochromator', 'diffrn_radiation', undefined, 'How the incident beam was made monochromatic, e.g. graphite.'],
  ['_diffrn_source', 'Radiation source', 'diffrn_source', undefined, "Source of the radiation, e.g. 'sealed tube', 'rotating anode', 'synchrotron' or 'nuclear reactor'.", ['_diffrn_radiation_source']],
  ['_diffrn_measurement_device_type', 'Diffractometer', 'diffrn_measurement', undefined, 'Make and model of the diffractometer used.'],
  ['_diffrn_measurement_method', 'Scan method', 'diffrn_measurement', undefined, 'How the intensities were collected, e.g. ω scans or φ and ω scans.'],
  ['_diffrn_reflns_number', 'Reflections measured', 'diffrn_reflns', undefined, 'Total number of reflections measured, before merging equivalents.'],
  ['_diffrn_reflns_av_R_equivalents', 'R(int)', 'diffrn_reflns', undefined, 'Agreement between symmetry-equivalent reflections; a quick indicator of data quality and of the correctness of the Laue class.'],
  ['_diffrn_reflns_theta_max', 'θ max', 'diffrn_reflns', DEG, 'Largest Bragg angle θ of the measured reflections; sets the resolution of the data.'],
  ['_diffrn_reflns_theta_min', 'θ min', 'diffrn_reflns', DEG, 'Smallest Bragg angle θ of the measured reflections.'],

  // ---- refine --------------------------------------------------------------------------------------
  ['_refine_ls_R_factor_all', 'R (all reflections)', 'refine', undefined, 'Conventional R factor over all reflections, as a fraction (0.05 = 5 %). Lower is better; a few percent is typical for a good single-crystal refinement.'],
  ['_refine_ls_R_factor_gt', 'R (observed reflections)', 'refine', undefined, 'R factor over reflections above the significance threshold; the value usually quoted as R1.', ['_refine_ls_R_factor_obs']],
  ['_refine_ls_wR_factor_ref', 'wR (refined reflections)', 'refine', undefined, 'Weighted R factor over the reflections used in the refinement (wR2 when refining against F²).'],
  ['_refine_ls_wR_factor_gt', 'wR (observed reflections)', 'refine', undefined, 'Weighted R factor over reflections above the significance threshold.', ['_refine_ls_wR_factor_obs']],
  ['_refine_ls_goodness_of_fit_ref', 'Goodness of fit', 'refine', undefined, 'Goodness of fit S for the refined reflections; close to 1 when the weighting scheme and model are adequate.'],
  ['_refine_ls_number_reflns', 'Reflections in refinement', 'refine', undefined, 'Number of unique reflections used in the least-squares refinement.'],
  ['_refine_ls_number_parameters', 'Refined parameters', 'refine', undefined, 'Number of parameters refined; compare with the number of reflections.'],
  ['_refine_ls_number_restraints', 'Restraints', 'refine', undefined, 'Number of restraints applied during refinement.'],
  ['_refine_ls_structure_factor_coef', 'Refined against', 'refine', undefined, "Quantity minimised in refinement: 'F', 'Fsqd' (F²) or 'Inet'."],
  ['_refine_ls_shift/su_max', 'Largest shift/su', 'refine', undefined, 'Largest ratio of a parameter shift to its standard uncertainty in the final cycle; should be near zero for a converged refinement.', ['_refine_ls_shift/esd_max']],
  ['_refine_diff_density_max', 'Largest difference peak', 'refine', 'e Å⁻³', 'Highest peak left in the final difference Fourier map. A large peak near a Li site can mean Li is misplaced or disordered.'],
  ['_refine_diff_density_min', 'Deepest difference hole', 'refine', 'e Å⁻³', 'Deepest hole in the final difference Fourier map.'],

  // ---- geom ----------------------------------------------------------------------------------------
  ['_geom_bond_atom_site_label_1', 'Bond atom 1', 'geom_bond', undefined, 'Label of the first site of a reported bond.'],
  ['_geom_bond_atom_site_label_2', 'Bond atom 2', 'geom_bond', undefined, 'Label of the second site of a reported bond.'],
  ['_geom_bond_distance', 'Bond distance', 'geom_bond', A, 'Interatomic distance between the two sites of the bond.'],
  ['_geom_bond_site_symmetry_2', 'Bond atom 2 symmetry', 'geom_bond', undefined, "Symmetry operation and lattice translation applied to the second site, as a code like '2_655' ('.' for the identity)."],

  // ---- publication -----------------------------------------------------------------------------------
  ['_publ_section_title', 'Publication title', 'publ_section', undefined, 'Title of the paper the structure was published in.'],
  ['_publ_section_abstract', 'Abstract', 'publ_section', undefined, 'Abstract of the paper.'],
  ['_publ_section_references', 'References', 'publ_section', undefined, 'Reference list of the paper, as free text.'],
  ['_publ_author_name', 'Author name', 'publ_author', undefined, "Name of an author, conventionally written 'Surname, Initials'."],
  ['_publ_contact_author_email', 'Contact e-mail', 'publ_contact_author', undefined, 'E-mail address of the corresponding author.'],
  ['_journal_name_full', 'Journal', 'journal', undefined, 'Full name of the journal the structure was published in.'],
  ['_journal_volume', 'Journal volume', 'journal', undefined, 'Volume of the journal issue.'],
  ['_journal_issue', 'Journal issue', 'journal', undefined, 'Issue number within the volume.'],
  ['_journal_page_first', 'First page', 'journal', undefined, 'First page (or article number) of the paper.'],
  ['_journal_page_last', 'Last page', 'journal', undefined, 'Last page of the paper.'],
  ['_journal_year', 'Publication year', 'journal', undefined, 'Year of publication.'],
  ['_journal_coden_ASTM', 'Journal CODEN', 'journal', undefined, 'Six-character ASTM CODEN identifying the journal; common in ICSD files.'],
  ['_journal_paper_DOI', 'Paper DOI', 'journal', undefined, 'Digital Object Identifier of the paper, e.g. 10.1021/cm0000000.'],

  // ---- database / audit / computing -------------------------------------------------------------------
  ['_database_code_ICSD', 'ICSD code', 'database', undefined, 'Collection code of the entry in the Inorganic Crystal Structure Database.'],
  ['_database_code_CSD', 'CSD refcode', 'database', undefined, 'Reference code of the entry in the Cambridge Structural Database.'],
  ['_database_code_depnum_ccdc_archive', 'CCDC deposition number', 'database', undefined, 'Deposition number assigned by the Cambridge Crystallographic Data Centre.'],
  ['_cod_database_code', 'COD number', 'cod', undefined, 'Identifier of the entry in the Crystallography Open Database (a COD extension, not a core tag).'],
  ['_audit_creation_date', 'Creation date', 'audit', undefined, 'Date the CIF was created, in the form yyyy-mm-dd.'],
  ['_audit_creation_method', 'Creation method', 'audit', undefined, 'How the file was produced: the program or database export that wrote it.'],
  ['_audit_update_record', 'Update record', 'audit', undefined, 'Log of changes made to the file after it was created.'],
  ['_audit_author_name', 'File author', 'audit_author', undefined, 'Name of a person responsible for the contents of the file (not necessarily a paper author).'],
  ['_computing_structure_refinement', 'Refinement program', 'computing', undefined, 'Program used to refine the structure, e.g. SHELXL, JANA or FullProf.'],
  ['_computing_structure_solution', 'Solution program', 'computing', undefined, 'Program used to solve the structure.'],
  ['_computing_data_collection', 'Data collection program', 'computing', undefined, 'Program used to collect the diffraction data.'],
  ['_computing_cell_refinement', 'Cell refinement program', 'computing', undefined, 'Program used to refine the cell parameters.'],
  ['_computing_data_reduction', 'Data reduction program', 'computing', undefined, 'Program used to integrate and reduce the raw data.'],
  ['_computing_molecular_graphics', 'Graphics program', 'computing', undefined, 'Program used to draw the structure figures.'],
  ['_computing_publication_material', 'Publication program', 'computing', undefined, 'Program used to prepare the material for publication, including this CIF.'],

  // ---- powder diffraction (pdCIF) ------------------------------------------------------------------------
  ['_pd_block_id', 'Powder block id', 'pd_block', undefined, 'Unique identifier of a data block in a powder-diffraction CIF, used to link phases, patterns and instruments across blocks.'],
  ['_pd_phase_name', 'Phase name', 'pd_phase', undefined, 'Name of a crystalline phase in a (possibly multiphase) powder refinement.'],
  ['_pd_meas_2theta_range_min', '2θ min', 'pd_meas', DEG, 'Lowest 2θ angle of the measured powder pattern.'],
  ['_pd_meas_2theta_range_max', '2θ max', 'pd_meas', DEG, 'Highest 2θ angle of the measured powder pattern.'],
  ['_pd_meas_2theta_range_inc', '2θ step', 'pd_meas', DEG, 'Step between successive points of the powder pattern.'],
  ['_pd_meas_number_of_points', 'Number of points', 'pd_meas', undefined, 'Number of points in the measured powder pattern.'],
  ['_pd_meas_scan_method', 'Scan method', 'pd_meas', undefined, "How the pattern was scanned: 'step', 'cont' (continuous), 'disc' (dispersive, energy) or 'tof' (time of flight)."],
  ['_pd_instr_geometry', 'Instrument geometry', 'pd_instr', undefined, 'Description of the powder diffractometer geometry, e.g. Bragg–Brentano or Debye–Scherrer.'],
  ['_pd_spec_mounting', 'Specimen mounting', 'pd_spec', undefined, 'How the powder specimen was mounted, e.g. in a capillary or on a flat plate.'],
  ['_pd_proc_wavelength', 'Processing wavelength', 'pd_proc', A, 'Wavelength used when converting the pattern, for instance from energy or time of flight to an equivalent 2θ.'],
  ['_pd_proc_ls_prof_R_factor', 'Rp', 'pd_proc', undefined, 'Profile R factor of a Rietveld refinement.'],
  ['_pd_proc_ls_prof_wR_factor', 'Rwp', 'pd_proc', undefined, 'Weighted profile R factor of a Rietveld refinement, the figure most often quoted.'],
  ['_pd_proc_ls_prof_wR_expected', 'Rexp', 'pd_proc', undefined, 'Expected weighted profile R factor, the best Rwp the counting statistics allow; (Rwp/Rexp)² is χ².'],
  ['_pd_calc_method', 'Calculation method', 'pd_calc', undefined, 'How the calculated powder pattern was obtained, e.g. Rietveld refinement or Le Bail fit.'],
];

/** DDLm names that do not follow the `_category.item` → `_category_item` rule (lower case). */
const DDLM_SPECIAL: ReadonlyMap<string, string> = new Map([
  ['_diffrn_radiation_wavelength.value', '_diffrn_radiation_wavelength'],
  ['_diffrn_radiation_wavelength.wavelength', '_diffrn_radiation_wavelength'],
]);

function build(): { tags: Map<string, TagInfo>; aliases: Map<string, string> } {
  const tags = new Map<string, TagInfo>();
  const aliases = new Map<string, string>();
  for (const [tag, title, category, units, description, alias] of ROWS) {
    const key = tag.toLowerCase();
    if (tags.has(key)) throw new Error(`dictionary: duplicate tag ${tag}`);
    const info: TagInfo = { tag, title, description, category };
    if (units !== undefined) info.units = units;
    if (alias && alias.length) {
      info.aliases = alias;
      for (const a of alias) aliases.set(a.toLowerCase(), key);
    }
    tags.set(key, Object.freeze(info));
  }
  return { tags, aliases };
}

const built = build();

/** Core-dictionary tags, keyed by lower-case DDL1 name. */
export const CIF_TAGS: ReadonlyMap<string, TagInfo> = built.tags;

/** Older DDL1 names (lower case) → current DDL1 key (lower case). */
const ALIASES: ReadonlyMap<string, string> = built.aliases;

/** Current lower-case DDL1 key for a tag written in any supported form, or the lower-cased input. */
function normalize(tag: string): string {
  let t = tag.trim().toLowerCase();
  if (!t.startsWith('_')) t = '_' + t;
  const special = DDLM_SPECIAL.get(t);
  if (special) return special;
  if (!CIF_TAGS.has(t)) {
    const dot = t.indexOf('.');
    if (dot > 0) t = t.slice(0, dot) + '_' + t.slice(dot + 1);
  }
  return ALIASES.get(t) ?? t;
}

/**
 * Dictionary entry for a tag, case-insensitive. Accepts DDL1 names (`_cell_length_a`), DDLm /
 * CIF 2.0 names (`_cell.length_a`) and replaced older names (`_symmetry_equiv_pos_as_xyz`); the
 * returned entry always carries the current DDL1 name.
 */
export function lookupTag(tag: string): TagInfo | undefined {
  if (!tag) return undefined;
  return CIF_TAGS.get(normalize(tag));
}

const SORTED: readonly TagInfo[] = [...CIF_TAGS.keys()].sort().map((k) => CIF_TAGS.get(k)!);

/**
 * Entries whose DDL1 name starts with `prefix` (case-insensitive), sorted by name. A dotted DDLm
 * prefix (`_atom_site.fr`) is matched against the DDL1 form; a missing leading `_` is implied.
 * Older alias names are not offered.
 */
export function tagCompletions(prefix: string): TagInfo[] {
  let p = prefix.trim().toLowerCase();
  if (!p.startsWith('_')) p = '_' + p;
  const dot = p.indexOf('.');
  if (dot > 0) p = p.slice(0, dot) + '_' + p.slice(dot + 1);
  return SORTED.filter((info) => info.tag.toLowerCase().startsWith(p));
}
