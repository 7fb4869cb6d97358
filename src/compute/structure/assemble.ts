/**
 * A list of atoms in a cell (what POSCAR and extended XYZ give) → the same `Structure` that
 * `buildStructure` makes from a CIF.
 *
 * Conventions, chosen to match build.ts so every downstream computation sees one kind of structure:
 * - the lattice is re-expressed from its lengths and angles in the crystallographic orientation
 *   (a along x, b in the xy plane; `latticeMatrix`); fractional coordinates are kept, so distances and
 *   angles are unchanged. A left-handed basis becomes its right-handed mirror image (said in a message);
 * - fractional coordinates are wrapped into [0, 1);
 * - oxidation states are guessed by charge balance (`guessOxidationStates`) and reported as guessed:
 *   neither format carries them;
 * - moyo finds the space group and the orbits (`detectSymmetry`); each orbit becomes one
 *   "asymmetric site" labelled element + running number (Li1, O1, O2, …), located at its first atom's line.
 */
import { detectSymmetry } from './build';
import { reducedFormula } from './formula';
import { det3, latticeFromVectors, vecMat, wrap01 } from './geometry';
import { guessedStatesSentence, guessOxidationStates } from './elements';
import { implausibleGeometryMessages } from './bondValence';
import { checkAtomDensity, checkCellGeometry, MAX_ATOMS_IN_CELL } from './limits';
import type { AsymmetricSite, Lattice, Located, Mat3, Site, SpaceGroupInfo, Structure, StructureMessage, Vec3 } from './types';

export interface CellAtom {
  element: string;
  frac: Vec3;
  /** Where the atom's line starts (0-based), for messages. */
  at: Located;
}

/** Atoms closer than this (Å) cannot both be there: an error, as in a CIF with overlapping full sites. */
const MIN_ATOM_DISTANCE = 0.5;

/**
 * Build a `Structure` from atoms with fractional coordinates in the cell `vectors` (rows a, b, c, Å).
 * `messages` already holds the reader's messages; an error among them, or one found here, gives null.
 */
export function structureFromAtoms(name: string, vectors: Mat3, atoms: CellAtom[], messages: StructureMessage[], cellAt: Located): Structure | null {
  const volume = det3(vectors);
  if (!Number.isFinite(volume) || Math.abs(volume) < 1e-3) {
    messages.push({ severity: 'error', code: 'cell-out-of-range', message: `the lattice vectors do not span a cell (volume ${Number.isFinite(volume) ? volume.toExponential(2) : volume} Å³)`, at: cellAt });
    return null;
  }
  if (volume < 0) {
    messages.push({ severity: 'info', code: 'left-handed-cell', message: 'the lattice vectors form a left-handed set: the structure is read as its right-handed mirror image (same distances and energies)', at: cellAt });
  }
  if (!atoms.length) {
    messages.push({ severity: 'error', code: 'missing-atom-sites', message: 'no atoms', at: cellAt });
    return null;
  }
  if (messages.some((m) => m.severity === 'error')) return null;
  const lattice = latticeFromVectors(vectors);
  // The limits a CIF's cell meets (build.ts), before anything is allocated: a cell shorter than a bond, a flat
  // cell, more atoms than MAX_ATOMS_IN_CELL, or more atoms per Å³ than any solid holds (a POSCAR scale of -1
  // read as a 1 Å³ cell).
  const limits = [...checkCellGeometry(lattice, cellAt)];
  if (atoms.length > MAX_ATOMS_IN_CELL) limits.push({ severity: 'error', code: 'too-large', message: `the cell holds ${atoms.length} atoms, more than MAX_ATOMS_IN_CELL = ${MAX_ATOMS_IN_CELL}: ionpath refuses cells this large`, at: cellAt });
  const dense = checkAtomDensity(atoms.length, lattice.volume, cellAt);
  if (dense) limits.push(dense);
  if (limits.length) { messages.push(...limits); return null; }

  const sites: Site[] = atoms.map((atom) => {
    const frac = atom.frac.map(wrap01) as Vec3;
    return { frac, cart: vecMat(frac, lattice.matrix), species: [{ element: atom.element, oxidation: null, oxidationSource: 'none', occupancy: 1, label: atom.element }], asymmetricIndex: 0, orbit: 0 };
  });
  if (!checkOverlaps(lattice, sites, atoms, messages)) return null;

  const composition: Record<string, number> = {};
  for (const s of sites) composition[s.species[0].element] = (composition[s.species[0].element] ?? 0) + 1;

  const info: SpaceGroupInfo = { symbol: null, number: null, operationsSource: 'none', operationCount: 1 };
  // Orbits: moyo's when it runs (each site's orbit index is the index of its representative), else one per atom.
  sites.forEach((s, i) => { s.orbit = i; });
  detectSymmetry(lattice, sites, info, messages);

  const asymmetricSites: AsymmetricSite[] = [];
  const orbitToAsym = new Map<number, number>();
  const perElement: Record<string, number> = {};
  sites.forEach((s, i) => {
    let ai = orbitToAsym.get(s.orbit);
    if (ai === undefined) {
      const el = s.species[0].element;
      const label = `${el}${(perElement[el] = (perElement[el] ?? 0) + 1)}`;
      ai = asymmetricSites.length;
      orbitToAsym.set(s.orbit, ai);
      asymmetricSites.push({ label, frac: s.frac, species: [{ ...s.species[0], label }], multiplicity: 0, line: atoms[i].at.line, column: atoms[i].at.column });
    }
    const a = asymmetricSites[ai];
    a.multiplicity++;
    s.asymmetricIndex = ai;
    s.orbit = ai;
    s.species[0].label = a.label;
  });

  const guess = guessOxidationStates(composition);
  const firstAtom = atoms[0].at;
  if (guess) {
    for (const s of sites) for (const sp of s.species) { sp.oxidation = guess.states[sp.element]; sp.oxidationSource = 'guessed'; }
    for (const a of asymmetricSites) for (const sp of a.species) { sp.oxidation = guess.states[sp.element]; sp.oxidationSource = 'guessed'; }
    messages.push({ severity: 'warning', code: 'oxidation-guessed', message: guessedStatesSentence(guess, composition, 'the file gives no oxidation states', 'the command line option --oxidation-states, or a CIF with _atom_type_oxidation_number'), at: firstAtom });
  } else {
    messages.push({ severity: 'warning', code: 'oxidation-unassigned', message: 'the file gives no oxidation states and no charge-balanced assignment of common oxidation states was found; energy calculations need them (convert to a CIF with _atom_type_oxidation_number, or give them with the command line option --oxidation-states)', at: firstAtom });
  }
  if (!composition.Li) messages.push({ severity: 'warning', code: 'no-li', message: 'the structure contains no Li: Li transport will be computed for an inserted probe ion', at: cellAt });

  const structure: Structure = {
    name,
    lattice,
    spaceGroup: info,
    asymmetricSites,
    sites,
    composition,
    formula: reducedFormula(composition),
    oxidationSource: guess ? 'guessed' : 'unassigned',
    hasPartialOccupancy: false,
    messages: [],
  };
  messages.push(...implausibleGeometryMessages(structure));
  structure.messages = messages.filter((m) => m.severity !== 'error');
  return structure;
}

/** Minimum-image distance check over all pairs (27 images: exact for any cell shape); false on an overlap. */
function checkOverlaps(lattice: Lattice, sites: Site[], atoms: CellAtom[], messages: StructureMessage[]): boolean {
  if (sites.length > 3000) return true; // O(n²); cells this large are refused by the landscape anyway
  const m = lattice.matrix;
  let ok = true;
  for (let i = 0; i < sites.length && ok; i++) {
    for (let j = i + 1; j < sites.length; j++) {
      const d = [0, 1, 2].map((k) => sites[i].frac[k] - sites[j].frac[k] - Math.round(sites[i].frac[k] - sites[j].frac[k]));
      let best = Infinity;
      for (let x = -1; x <= 1; x++) for (let y = -1; y <= 1; y++) for (let z = -1; z <= 1; z++) {
        const c = vecMat([d[0] + x, d[1] + y, d[2] + z], m);
        best = Math.min(best, Math.hypot(c[0], c[1], c[2]));
      }
      if (best < MIN_ATOM_DISTANCE) {
        messages.push({ severity: 'error', code: 'overlapping-atoms', message: `atoms ${i + 1} (${sites[i].species[0].element}) and ${j + 1} (${sites[j].species[0].element}) are ${best.toFixed(3)} Å apart (closer than ${MIN_ATOM_DISTANCE} Å)`, at: atoms[j].at });
        ok = false;
        break;
      }
    }
  }
  return ok;
}
