// The synthetic scene of the webview control tests: a hand-made cell and an analytic landscape whose
// barriers are known exactly (Ea 1D/2D/3D = 0.42/1.25/1.90 eV) plus its level map, for what the real
// scenes (./realScenes.mjs, from the compute host) cannot pin down: thresholds, the level-map
// surface, empty surfaces, corner/edge/face images of one cell.

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
