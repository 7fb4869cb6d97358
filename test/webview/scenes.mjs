// Scenes for the webview tests and benchmark. `makeScene()` is synthetic for now; replace it with
// real compute output (structure → SceneStructure, BVSE grid → SceneLandscape, path → ScenePath)
// keeping the same shape: { structure, landscape, path, expect }.

/** Cubic perovskite-like cell with a 1D Li channel along a through the cell boundary. */
export function makeScene({ n = 40, a = 4.2 } = {}) {
  const lattice = [[a, 0, 0], [0, a, 0], [0, 0, a]];
  const site = (label, element, frac, occupancy = 1, mobile = false, species = [{ element, occupancy }]) =>
    ({ label, element, frac, occupancy, mobile, species });
  const atoms = [
    site('Nb1', 'Nb', [0, 0, 0]),                       // corner: 8 images in one cell
    site('O1', 'O', [0.5, 0, 0]),                        // edge centres: 4 images each
    site('O2', 'O', [0, 0.5, 0]),
    site('O3', 'O', [0, 0, 0.5]),
    site('Li1', 'Li', [0.5, 0.5, 0.5], 1, true),         // body centre, mobile
    site('Li2', 'Li', [0, 0.5, 0.5], 0.5, true),         // a-face centre, half occupied (vacancy ring)
    site('La1', 'La', [0.5, 0.5, 0], 0.8, false, [{ element: 'La', occupancy: 0.5 }, { element: 'Sr', occupancy: 0.3 }]), // mixed
  ];
  const structure = { name: 'synthetic-channel', formula: 'Li1.5La0.5Sr0.3NbO3', lattice, atoms };

  // E = Eb·(1−cos 4πx)/2 + Ey·(1−cos 2π(y−½))/2 + Ez·(1−cos 2π(z−½))/2: minima at the Li sites
  // (x = 0, ½; y = z = ½), so Ea1D = Eb (along a), Ea2D = Ey, Ea3D = Ez.
  const Eb = 0.42, Ey = 1.25, Ez = 1.9;
  const E = (x, y, z) => Eb * (1 - Math.cos(4 * Math.PI * x)) / 2 + Ey * (1 - Math.cos(2 * Math.PI * (y - 0.5))) / 2 + Ez * (1 - Math.cos(2 * Math.PI * (z - 0.5))) / 2;
  const data = new Float32Array(n * n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) data[(i * n + j) * n + k] = E(i / n, j / n, k / n);
  const levelMap = minimaxLevelMap(data, [n, n, n], (Math.round(n / 2) * n + Math.round(n / 2)) * n + Math.round(n / 2));
  const landscape = { shape: [n, n, n], data, method: 'synthetic', source: 'synthetic cosine channel (test)', unit: 'eV', ea1D: Eb, ea2D: Ey, ea3D: Ez, levelMap };

  const m = 41;
  const points = [], energies = [], distances = [];
  for (let i = 0; i < m; i++) {
    const x = i / (m - 1);
    points.push([x * a, 0.5 * a, 0.5 * a]);
    energies.push(E(x, 0.5, 0.5));
    distances.push(x * a);
  }
  const path = { points, energies, distances, barrier: Eb, method: 'synthetic path' };
  return { structure, landscape, path };
}

/** ~200 atoms in a 12.5 Å cubic cell (deterministic pseudo-random garnet-like mix) and a 3D channel grid. */
export function makeBenchStructure() {
  const a = 12.5;
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const atoms = [];
  const kinds = [['Li', 56, true], ['La', 24, false], ['Zr', 16, false], ['O', 104, false]];
  const pool = [];
  for (const [el, count, mobile] of kinds) for (let i = 0; i < count; i++) pool.push([el, mobile]);
  let idx = 0;
  for (let i = 0; i < 6 && idx < pool.length; i++) for (let j = 0; j < 6 && idx < pool.length; j++) for (let k = 0; k < 6 && idx < pool.length; k++) {
    if ((i * 36 + j * 6 + k) % 13 === 5) continue; // leave some gaps
    const [el, mobile] = pool[(idx * 37) % pool.length];
    idx++;
    const frac = [(i + 0.5 + (rnd() - 0.5) * 0.3) / 6, (j + 0.5 + (rnd() - 0.5) * 0.3) / 6, (k + 0.5 + (rnd() - 0.5) * 0.3) / 6];
    atoms.push({ label: `${el}${idx}`, element: el, frac, occupancy: 1, mobile, species: [{ element: el, occupancy: 1 }] });
  }
  return { name: 'bench-200', formula: 'Li7La3Zr2O12-like', lattice: [[a, 0, 0], [0, a, 0], [0, 0, a]], atoms };
}

/**
 * Independent count of the atom images a viewer should draw for `repeats`: every periodic image
 * whose fractional coordinates lie in [0, R] (closed, tolerance 1e-3).
 */
export function expectedAtomCount(structure, repeats, { includeMobile = true } = {}) {
  const tol = 1e-3;
  let total = 0;
  for (const atom of structure.atoms) {
    if (!includeMobile && atom.mobile) continue;
    let prod = 1;
    for (let ax = 0; ax < 3; ax++) {
      let f = atom.frac[ax] - Math.floor(atom.frac[ax]);
      if (f > 1 - tol) f -= 1;
      let c = 0;
      for (let shift = -1; shift <= repeats[ax] + 1; shift++) if (f + shift >= -tol && f + shift <= repeats[ax] + tol) c++;
      prod *= c;
    }
    total += prod;
  }
  return total;
}

/**
 * Minimax level map on the periodic grid (6-neighbour steps): each point's lowest possible maximum
 * energy along a grid path from `start`, minus the minimum. Simple Dijkstra with a binary heap.
 */
export function minimaxLevelMap(data, [n0, n1, n2], start) {
  const N = data.length;
  const level = new Float32Array(N).fill(Infinity);
  let min = Infinity;
  for (const x of data) min = Math.min(min, x);
  const heap = [];
  const push = (v, i) => {
    heap.push([v, i]);
    let c = heap.length - 1;
    while (c > 0) { const p = (c - 1) >> 1; if (heap[p][0] <= heap[c][0]) break; [heap[p], heap[c]] = [heap[c], heap[p]]; c = p; }
  };
  const pop = () => {
    const top = heap[0], last = heap.pop();
    if (heap.length) {
      heap[0] = last;
      let c = 0;
      for (;;) {
        const l = 2 * c + 1, r = l + 1;
        let m = c;
        if (l < heap.length && heap[l][0] < heap[m][0]) m = l;
        if (r < heap.length && heap[r][0] < heap[m][0]) m = r;
        if (m === c) break;
        [heap[m], heap[c]] = [heap[c], heap[m]];
        c = m;
      }
    }
    return top;
  };
  level[start] = data[start];
  push(data[start], start);
  while (heap.length) {
    const [v, idx] = pop();
    if (v > level[idx]) continue;
    const i = Math.floor(idx / (n1 * n2)), j = Math.floor(idx / n2) % n1, k = idx % n2;
    for (const [di, dj, dk] of [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]]) {
      const q = ((((i + di + n0) % n0) * n1 + ((j + dj + n1) % n1)) * n2) + ((k + dk + n2) % n2);
      const nv = Math.max(v, data[q]);
      if (nv < level[q]) { level[q] = nv; push(nv, q); }
    }
  }
  for (let i = 0; i < N; i++) level[i] -= min;
  return level;
}
