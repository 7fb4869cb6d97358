/**
 * Element symbols and the common oxidation states used to guess a charge-balanced assignment when
 * a CIF gives none. The states per element are listed most common first (standard inorganic
 * chemistry, cf. Greenwood & Earnshaw, "Chemistry of the Elements", 2nd ed., 1997); the guess is
 * always reported as guessed.
 */

export const ELEMENTS = [
  'H', 'He', 'Li', 'Be', 'B', 'C', 'N', 'O', 'F', 'Ne', 'Na', 'Mg', 'Al', 'Si', 'P', 'S', 'Cl', 'Ar',
  'K', 'Ca', 'Sc', 'Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn', 'Ga', 'Ge', 'As', 'Se', 'Br', 'Kr',
  'Rb', 'Sr', 'Y', 'Zr', 'Nb', 'Mo', 'Tc', 'Ru', 'Rh', 'Pd', 'Ag', 'Cd', 'In', 'Sn', 'Sb', 'Te', 'I', 'Xe',
  'Cs', 'Ba', 'La', 'Ce', 'Pr', 'Nd', 'Pm', 'Sm', 'Eu', 'Gd', 'Tb', 'Dy', 'Ho', 'Er', 'Tm', 'Yb', 'Lu',
  'Hf', 'Ta', 'W', 'Re', 'Os', 'Ir', 'Pt', 'Au', 'Hg', 'Tl', 'Pb', 'Bi', 'Po', 'At', 'Rn',
  'Fr', 'Ra', 'Ac', 'Th', 'Pa', 'U', 'Np', 'Pu', 'Am', 'Cm', 'Bk', 'Cf', 'Es', 'Fm', 'Md', 'No', 'Lr',
  'Rf', 'Db', 'Sg', 'Bh', 'Hs', 'Mt', 'Ds', 'Rg', 'Cn', 'Nh', 'Fl', 'Mc', 'Lv', 'Ts', 'Og',
] as const;

const SYMBOLS = new Map<string, string>(ELEMENTS.map((e) => [e.toLowerCase(), e]));

/** Canonical symbol for a case-insensitive element name, or null ("D" and "T" are hydrogen isotopes). */
export function canonicalElement(s: string): string | null {
  const l = s.toLowerCase();
  if (l === 'd' || l === 't') return 'H';
  return SYMBOLS.get(l) ?? null;
}

export function atomicNumber(el: string): number {
  return ELEMENTS.indexOf(el as (typeof ELEMENTS)[number]) + 1;
}

export const COMMON_OXIDATION_STATES: Readonly<Record<string, readonly number[]>> = {
  H: [1, -1], Li: [1], Be: [2], B: [3], C: [4, -4, 2], N: [-3, 5, 3], O: [-2], F: [-1],
  Na: [1], Mg: [2], Al: [3], Si: [4, -4], P: [5, -3, 3], S: [-2, 6, 4], Cl: [-1, 7, 5],
  K: [1], Ca: [2], Sc: [3], Ti: [4, 3, 2], V: [5, 4, 3, 2], Cr: [3, 6, 2], Mn: [2, 4, 3, 7, 6], Fe: [3, 2],
  Co: [2, 3, 4], Ni: [2, 3, 4], Cu: [2, 1], Zn: [2], Ga: [3], Ge: [4, -4, 2], As: [5, -3, 3], Se: [-2, 4, 6],
  Br: [-1, 5], Rb: [1], Sr: [2], Y: [3], Zr: [4], Nb: [5, 4, 3], Mo: [6, 4, 3], Tc: [7, 4], Ru: [4, 3],
  Rh: [3], Pd: [2, 4], Ag: [1], Cd: [2], In: [3, 1], Sn: [4, 2], Sb: [5, 3, -3], Te: [-2, 4, 6], I: [-1, 5, 7],
  Cs: [1], Ba: [2], La: [3], Ce: [3, 4], Pr: [3], Nd: [3], Pm: [3], Sm: [3, 2], Eu: [3, 2], Gd: [3], Tb: [3, 4],
  Dy: [3], Ho: [3], Er: [3], Tm: [3], Yb: [3, 2], Lu: [3], Hf: [4], Ta: [5], W: [6, 4], Re: [7, 4], Os: [4],
  Ir: [4, 3], Pt: [2, 4], Au: [3, 1], Hg: [2, 1], Tl: [1, 3], Pb: [2, 4], Bi: [3, 5], Po: [4, 2], At: [-1],
  Fr: [1], Ra: [2], Ac: [3], Th: [4], Pa: [5], U: [6, 4], Np: [5], Pu: [4], Am: [3], Cm: [3],
};

/** Pauling electronegativities for ordering anions before cations in the guess (Pauling 1960; Allred 1961). */
export const PAULING_EN: Readonly<Record<string, number>> = {
  H: 2.2, Li: 0.98, Be: 1.57, B: 2.04, C: 2.55, N: 3.04, O: 3.44, F: 3.98, Na: 0.93, Mg: 1.31, Al: 1.61,
  Si: 1.9, P: 2.19, S: 2.58, Cl: 3.16, K: 0.82, Ca: 1.0, Sc: 1.36, Ti: 1.54, V: 1.63, Cr: 1.66, Mn: 1.55,
  Fe: 1.83, Co: 1.88, Ni: 1.91, Cu: 1.9, Zn: 1.65, Ga: 1.81, Ge: 2.01, As: 2.18, Se: 2.55, Br: 2.96,
  Rb: 0.82, Sr: 0.95, Y: 1.22, Zr: 1.33, Nb: 1.6, Mo: 2.16, Tc: 1.9, Ru: 2.2, Rh: 2.28, Pd: 2.2, Ag: 1.93,
  Cd: 1.69, In: 1.78, Sn: 1.96, Sb: 2.05, Te: 2.1, I: 2.66, Cs: 0.79, Ba: 0.89, La: 1.1, Ce: 1.12, Pr: 1.13,
  Nd: 1.14, Pm: 1.13, Sm: 1.17, Eu: 1.2, Gd: 1.2, Tb: 1.1, Dy: 1.22, Ho: 1.23, Er: 1.24, Tm: 1.25, Yb: 1.1,
  Lu: 1.27, Hf: 1.3, Ta: 1.5, W: 2.36, Re: 1.9, Os: 2.2, Ir: 2.2, Pt: 2.28, Au: 2.54, Hg: 2.0, Tl: 1.62,
  Pb: 2.33, Bi: 2.02, Po: 2.0, At: 2.2, Fr: 0.7, Ra: 0.9, Ac: 1.1, Th: 1.3, Pa: 1.5, U: 1.38, Np: 1.36,
  Pu: 1.28, Am: 1.3, Cm: 1.3,
};

export interface OxidationGuess {
  states: Record<string, number>;
  /** Net charge per cell left over (0 for an exact balance; partial occupancies can leave a little). */
  residual: number;
}

/**
 * The net charge per cell (e) of these species with their oxidation states and occupancies, when it is more than 2 %
 * of the positive charge (+0.01 e): states that should balance and do not. Null when they balance.
 */
export function unbalancedNetCharge(species: readonly { oxidation: number | null; occupancy: number }[]): number | null {
  const { net, positive } = chargeTotals(species);
  return positive > 0 && Math.abs(net) > 0.02 * positive + 0.01 ? net : null;
}

function chargeTotals(species: readonly { oxidation: number | null; occupancy: number }[]): { net: number; positive: number } {
  let net = 0, positive = 0;
  for (const sp of species) { const q = (sp.oxidation ?? 0) * sp.occupancy; net += q; if (q > 0) positive += q; }
  return { net, positive };
}

/** The largest net charge, as a share of the cations', that a guess accepts; given states past it are likely wrong. */
const MAX_RESIDUAL_SHARE = 0.25;

/**
 * The warning for given states that leave the cell charged (`unbalancedNetCharge`), with its size against the
 * cations' charge: past 25 % (what no guess accepts) the states, or the occupancies, are most likely wrong.
 */
export function chargeImbalanceSentence(species: readonly { oxidation: number | null; occupancy: number }[], subject: string): string {
  const { net, positive } = chargeTotals(species);
  const share = positive > 0 ? Math.abs(net) / positive : Infinity;
  const verdict = share > MAX_RESIDUAL_SHARE ? ': the states or the occupancies are most likely wrong, and the barriers use them as given' : '';
  return `${subject} leave a net charge of ${net > 0 ? '+' : ''}${net.toFixed(2)} e per cell (${Math.round(100 * share)} % of the cations' charge)${verdict}`;
}

/**
 * What a reader says of guessed states (`subject`: "the file gives no oxidation states"). A residual within 5 % of
 * the cations' charge (a CIF of a disordered conductor that under-reports its Li) is named in brackets; a larger
 * one means no single common state per element balances the cell (mixed valence, Ti³⁺/Ti⁴⁺; or a composition off
 * stoichiometry), and the sentence says so instead of "guessed by charge balance".
 */
export function guessedStatesSentence(guess: OxidationGuess, composition: Record<string, number>, subject: string, howToGive: string): string {
  const desc = Object.entries(guess.states).map(([e, q]) => `${e}${q > 0 ? '+' : ''}${q}`).join(', ');
  const positive = Object.entries(guess.states).reduce((sum, [e, q]) => sum + Math.max(0, q) * (composition[e] ?? 0), 0);
  const r = guess.residual;
  if (Math.abs(r) <= 1e-3) return `${subject}; guessed by charge balance: ${desc}`;
  if (Math.abs(r) <= 0.05 * positive) return `${subject}; guessed by charge balance: ${desc} (residual charge ${r.toFixed(3)} e per cell)`;
  return `${subject}, and no common state per element balances the charge: the closest states, ${desc}, leave ${r > 0 ? '+' : ''}${r.toFixed(3)} e per cell ` +
    `(${Math.round((100 * Math.abs(r)) / positive)} % of the cations' charge: mixed valence, or a composition off stoichiometry); the barriers use these states, so give the right ones (${howToGive})`;
}

/**
 * Charge-balanced oxidation states for an occupancy-weighted composition, one state per element.
 * Searches all combinations of common states, requiring every anion to be more electronegative than
 * every cation; prefers an exact balance, then the smallest residual charge, then the most common
 * states. Returns null when no combination comes within 25 % of the total positive charge (CIFs of
 * disordered conductors often under-report the mobile ion; the residual is reported to the user).
 */
export function guessOxidationStates(composition: Record<string, number>): OxidationGuess | null {
  const els = Object.keys(composition).filter((e) => composition[e] > 1e-9);
  if (!els.length) return null;
  let options = els.map((e) => COMMON_OXIDATION_STATES[e] ?? []);
  // Keep the search small for many-element compositions: the two most common states suffice there, and
  // past 18 multivalent elements even 2^n is too many (22 took 4 s, each further one doubles it): then
  // only the most common state of each element is tried.
  const combinations = () => options.reduce((n, o) => n * Math.max(1, o.length), 1);
  if (combinations() > 200_000) options = options.map((o) => o.slice(0, 2));
  if (combinations() > 300_000) options = options.map((o) => o.slice(0, 1));
  if (options.some((o) => o.length === 0)) return null;
  let best: { states: number[]; residual: number; rank: number } | null = null;
  const states = new Array<number>(els.length).fill(0);
  const search = (k: number, rank: number) => {
    if (k === els.length) {
      let pos = 0, net = 0, minNegEN = Infinity, maxPosEN = -Infinity;
      for (let i = 0; i < els.length; i++) {
        const q = states[i] * composition[els[i]];
        net += q;
        if (q > 0) pos += q;
        const en = PAULING_EN[els[i]] ?? 1.5;
        if (states[i] < 0) minNegEN = Math.min(minNegEN, en);
        else maxPosEN = Math.max(maxPosEN, en);
      }
      if (pos === 0 || minNegEN === Infinity || minNegEN < maxPosEN) return;
      const residual = Math.abs(net);
      if (residual > MAX_RESIDUAL_SHARE * pos + 1e-6) return;
      // Exact balances first, then the most common states.
      const score = residual < 1e-6 ? rank : 1000 + residual * 100 + rank;
      if (!best || score < best.rank) best = { states: [...states], residual: net, rank: score };
      return;
    }
    options[k].forEach((q, idx) => { states[k] = q; search(k + 1, rank + idx); });
  };
  search(0, 0);
  if (!best) return null;
  const b = best as { states: number[]; residual: number };
  return { states: Object.fromEntries(els.map((e, i) => [e, b.states[i]])), residual: b.residual };
}
