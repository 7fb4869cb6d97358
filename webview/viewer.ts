/**
 * The three.js view: atoms, cell, axes, bonds, isosurface and migration path, rendered on demand.
 *
 * Marks (also explained in the legend):
 * - Atoms are spheres coloured by element (Jmol palette), radius = covalent radius × "atom size",
 *   drawn as ray-cast impostors (./impostor.ts): one quad per atom, exact depth.
 * - Partially occupied or mixed sites: the sphere (coloured by the majority species) is translucent
 *   and carries a ring (always facing the viewer), coloured by the second species on the site, or grey when
 *   the rest of the site is vacant.
 * - Mobile ions (Li) carry a yellow halo; "Show mobile ions" hides them.
 * - Atoms on cell faces, edges and corners are drawn on every equivalent face of the (super)cell.
 * - Bonds (optional): two half-bonds, each in its atom's colour, between drawn framework atoms closer
 *   than 1.15 × the sum of covalent radii (all periodic images considered). When the structure has
 *   anions (O, S, Se, Te, N, halogens, H) only cation–anion bonds are drawn, plus anion–anion ones
 *   shorter than the radii sum (S–S, O–O). Mobile ions get no bonds.
 * - Isosurface: periodic, replicated over the supercell; drawn back faces first, then front faces.
 * - Path: a tube coloured by energy, with every periodic image that falls in the supercell, clipped
 *   to the supercell.
 * - Coordination polyhedra (optional): the convex hull of each framework cation's anion neighbours
 *   (same cut-off as the bonds), translucent in the cation's colour, as VESTA draws them.
 * - Picking: a click selects an atom image (ray–sphere test on the drawn spheres); 2 selected give the
 *   distance, 3 give both distances and the angle at the middle atom. Selected atoms carry a ring.
 * - Camera: perspective (35° field of view) or orthographic (parallel projection, for figures).
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { ConvexGeometry } from 'three/examples/jsm/geometries/ConvexGeometry.js';
import type { SceneAtom, SceneNetwork, ScenePath, SceneStructure } from '../src/protocol/scene';
import { elementColour, elementInfo, VACANCY_COLOUR, type ColourScheme } from './elements';
import { colourAt } from './colormap';
import { impostorMaterial, impostorQuad, HEADLIGHT_DIR } from './impostor';
import type { Mat3 } from './marchingCubes';
import type { ThemeColours } from './theme';

export interface ViewOptions {
  repeats: [number, number, number];
  showMobile: boolean;
  showBonds: boolean;
  atomScale: number;
  showIso: boolean;
  isoOpacity: number;
  isoColour: string;
  showPath: boolean;
  /** Parallel projection instead of perspective. */
  orthographic: boolean;
  showPolyhedra: boolean;
  colourScheme: ColourScheme;
  /** The interstitial network (nodes and bottleneck edges), when the scene has one. */
  showNetwork: boolean;
}

export const DEFAULT_OPTIONS: ViewOptions = {
  repeats: [1, 1, 1], showMobile: true, showBonds: false, atomScale: 0.3,
  showIso: true, isoOpacity: 0.55, isoColour: '#3fa7ff', showPath: true,
  orthographic: false, showPolyhedra: false, colourScheme: 'jmol', showNetwork: false,
};

/** Drawn radius of an interstice node per Å of its radius (small: the network sits between the atoms). */
export const NETWORK_NODE_SCALE = 0.3;
/** Opacity of edges and nodes below the Li-accessible radius (the accessible ones are opaque). */
const NETWORK_CLOSED_OPACITY = 0.22;

/** One drawn atom image, for picking: its site, its fractional image coordinates and where it is. */
export interface PickableAtom { site: number; frac: [number, number, number]; p: THREE.Vector3; r: number; element: string; label: string }

/** What the picked atoms measure: distances (Å) between consecutive picks and the angle (degrees) at the middle one. */
export interface PickMeasurement { atoms: PickableAtom[]; distances: number[]; angle: number | null }

export interface IsoMeshData { positions: Float32Array; normals: Float32Array; indices: Uint32Array }

/** Fractional tolerance for "on a face/edge/corner". */
const FACE_TOL = 1e-3;
const BOND_FACTOR = 1.15;
const HALO_COLOUR = 0xffd54a;
const AXIS_COLOURS = [0xe0524f, 0x4caf50, 0x4f7be0];
/** Elements treated as anions for bonds. */
const ANIONS = new Set(['O', 'S', 'Se', 'Te', 'N', 'F', 'Cl', 'Br', 'I', 'H']);

interface AtomInstance { p: THREE.Vector3; r: number; colour: number; ring: number | null; base: number; frac: [number, number, number] }
const PICK_COLOUR = 0xff4fd8;

export class Viewer {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  /** The perspective camera; `camera` is whichever is active. */
  readonly perspCamera: THREE.PerspectiveCamera;
  readonly orthoCamera: THREE.OrthographicCamera;
  readonly controls: OrbitControls;
  private readonly light = new THREE.DirectionalLight(0xffffff, 2.2);
  private readonly orthoLight = new THREE.DirectionalLight(0xffffff, 2.2);
  private readonly ambient = new THREE.AmbientLight(0xffffff, 1.1);

  private structure: SceneStructure | null = null;
  private lattice: Mat3 | null = null;
  private options: ViewOptions = { ...DEFAULT_OPTIONS };
  private theme: ThemeColours;

  private readonly atomsGroup = new THREE.Group();
  private readonly mobileGroup = new THREE.Group();
  private readonly bondsGroup = new THREE.Group();
  private readonly cellGroup = new THREE.Group();
  private readonly isoGroup = new THREE.Group();
  private readonly pathGroup = new THREE.Group();
  private readonly polyGroup = new THREE.Group();
  private readonly pickGroup = new THREE.Group();
  private readonly networkGroup = new THREE.Group();
  private network: SceneNetwork | null = null;
  /** Network nodes and edges drawn over the supercell (0 when hidden). */
  networkNodeCount = 0;
  networkEdgeCount = 0;
  networkAccessibleEdgeCount = 0;
  private pickable: PickableAtom[] = [];
  private picked: PickableAtom[] = [];
  /** Called after every change of the picked atoms. */
  onPick: ((m: PickMeasurement) => void) | null = null;

  private isoGeometry: THREE.BufferGeometry | null = null;
  private isoMaterials: THREE.MeshPhongMaterial[] = [];
  private isoBase: { vertexCount: number; box: THREE.Box3 | null; fracMin: number[]; fracMax: number[] } = { vertexCount: 0, box: null, fracMin: [], fracMax: [] };
  private path: ScenePath | null = null;
  private clipPlanes: THREE.Plane[] = [];

  /** True when WebGL runs on a software rasteriser (no MSAA then). */
  readonly softwareGL: boolean;
  private renderScheduled = false;
  private disposed = false;
  /** Counts for tests and the `rendered` message. */
  atomCount = 0;
  mobileCount = 0;
  pathImageCount = 0;
  bondCount = 0;
  polyhedronCount = 0;

  constructor(private readonly container: HTMLElement, theme: ThemeColours) {
    this.theme = theme;
    // Software WebGL (SwiftShader, llvmpipe: VMs, remote desktops, headless tests) rasterises on the
    // CPU, where 4× MSAA multiplies the cost of every translucent surface: render without it there.
    this.softwareGL = detectSoftwareGL();
    this.renderer = new THREE.WebGLRenderer({ antialias: !this.softwareGL, preserveDrawingBuffer: true, powerPreference: 'high-performance' });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.renderer.localClippingEnabled = true;
    const canvas = this.renderer.domElement;
    canvas.tabIndex = 0;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', '3D view of the crystal structure. Drag or use arrow keys to rotate, +/− to zoom, 0 to reset.');
    container.prepend(canvas);

    this.perspCamera = new THREE.PerspectiveCamera(35, 1, 0.1, 2000);
    this.perspCamera.up.set(0, 0, 1);
    this.perspCamera.add(this.light);
    this.light.position.copy(HEADLIGHT_DIR);
    this.orthoCamera = new THREE.OrthographicCamera(-1, 1, 1, -1, 0.1, 2000);
    this.orthoCamera.up.set(0, 0, 1);
    this.orthoCamera.add(this.orthoLight);
    this.orthoLight.position.copy(HEADLIGHT_DIR);
    this.scene.add(this.perspCamera, this.orthoCamera, this.ambient);
    this.scene.add(this.cellGroup, this.atomsGroup, this.mobileGroup, this.bondsGroup, this.polyGroup, this.isoGroup, this.pathGroup, this.pickGroup, this.networkGroup);

    this.controls = new OrbitControls(this.perspCamera, canvas);
    this.controls.enableDamping = false;
    this.controls.addEventListener('change', () => this.requestRender());
    canvas.addEventListener('keydown', (e) => this.onKey(e));
    // A click (not a drag) picks an atom.
    let down: { x: number; y: number } | null = null;
    canvas.addEventListener('pointerdown', (e) => { down = { x: e.clientX, y: e.clientY }; });
    canvas.addEventListener('pointerup', (e) => {
      if (down && Math.hypot(e.clientX - down.x, e.clientY - down.y) < 4 && e.button === 0) this.pickAt(e.clientX, e.clientY);
      down = null;
    });

    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
    this.applyTheme(theme);
  }

  // ---------------------------------------------------------------- public API

  /** The active camera. */
  get camera(): THREE.PerspectiveCamera | THREE.OrthographicCamera {
    return this.options.orthographic ? this.orthoCamera : this.perspCamera;
  }

  setTheme(theme: ThemeColours): void {
    this.applyTheme(theme);
    if (this.structure) this.buildCell();
    this.requestRender();
  }

  setStructure(s: SceneStructure | null): void {
    const fit = !this.structure || !s || this.structure.name !== s.name || JSON.stringify(this.structure.lattice) !== JSON.stringify(s.lattice);
    this.structure = s;
    this.lattice = s ? s.lattice : null;
    this.rebuildStructure();
    this.rebuildPath();
    this.layoutIso();
    this.rebuildNetwork();
    if (fit) this.resetView();
    this.requestRender();
  }

  setOptions(o: Partial<ViewOptions>): void {
    const prev = this.options;
    this.options = { ...prev, ...o };
    const repeatsChanged = !!o.repeats && o.repeats.some((r, i) => r !== prev.repeats[i]);
    if (o.orthographic !== undefined && o.orthographic !== prev.orthographic) this.switchCamera(prev.orthographic ? this.orthoCamera : this.perspCamera);
    if (repeatsChanged || (o.atomScale !== undefined && o.atomScale !== prev.atomScale) || (o.showBonds !== undefined && o.showBonds !== prev.showBonds)
      || (o.showPolyhedra !== undefined && o.showPolyhedra !== prev.showPolyhedra) || (o.colourScheme !== undefined && o.colourScheme !== prev.colourScheme)) {
      this.rebuildStructure();
    }
    if (repeatsChanged) { this.rebuildPath(); this.layoutIso(); this.refit(); }
    if (repeatsChanged || (o.showNetwork !== undefined && o.showNetwork !== prev.showNetwork)) this.rebuildNetwork();
    this.mobileGroup.visible = this.options.showMobile;
    this.isoGroup.visible = this.options.showIso;
    this.pathGroup.visible = this.options.showPath;
    for (const m of this.isoMaterials) {
      m.color.set(this.options.isoColour);
      m.opacity = this.options.isoOpacity;
      m.transparent = this.options.isoOpacity < 0.999;
      m.depthWrite = !m.transparent;
      m.needsUpdate = true;
    }
    this.countAtoms();
    this.requestRender();
  }

  getOptions(): ViewOptions {
    return { ...this.options, repeats: [...this.options.repeats] as [number, number, number] };
  }

  setIsoMesh(mesh: IsoMeshData | null): void {
    this.isoGeometry?.dispose();
    this.isoGeometry = null;
    this.isoBase = { vertexCount: 0, box: null, fracMin: [], fracMax: [] };
    if (mesh && mesh.indices.length > 0 && this.lattice) {
      const g = new THREE.BufferGeometry();
      g.setAttribute('position', new THREE.BufferAttribute(mesh.positions, 3));
      g.setAttribute('normal', new THREE.BufferAttribute(mesh.normals, 3));
      g.setIndex(new THREE.BufferAttribute(mesh.indices, 1));
      g.computeBoundingBox();
      g.computeBoundingSphere();
      this.isoGeometry = g;
      const inv = invert3(this.lattice);
      const fmin = [Infinity, Infinity, Infinity], fmax = [-Infinity, -Infinity, -Infinity];
      const P = mesh.positions;
      for (let i = 0; i < P.length; i += 3) {
        for (let a = 0; a < 3; a++) {
          const f = P[i] * inv[0][a] + P[i + 1] * inv[1][a] + P[i + 2] * inv[2][a];
          if (f < fmin[a]) fmin[a] = f;
          if (f > fmax[a]) fmax[a] = f;
        }
      }
      this.isoBase = { vertexCount: P.length / 3, box: g.boundingBox, fracMin: fmin, fracMax: fmax };
    }
    this.layoutIso();
    this.requestRender();
  }

  setNetwork(n: SceneNetwork | null): void {
    this.network = n && n.nodes.length ? n : null;
    this.rebuildNetwork();
    this.requestRender();
  }

  /** Largest interstice radius of the network (Å), for the colour scale; 0 without one. */
  networkRadiusRange(): { min: number; max: number } | null {
    const n = this.network;
    if (!n) return null;
    let lo = Infinity, hi = 0;
    for (const x of n.nodes) { lo = Math.min(lo, x.radius); hi = Math.max(hi, x.radius); }
    for (const e of n.edges) { lo = Math.min(lo, e.bottleneck); hi = Math.max(hi, e.bottleneck); }
    return { min: Math.max(0, lo), max: hi };
  }

  /**
   * Nodes: spheres of radius NETWORK_NODE_SCALE × r, coloured by r (viridis over the network's radius range); edges:
   * segments from node a to node b in the cell `offset` away, coloured by the bottleneck radius. Li-accessible ones
   * (r ≥ accessibleRadius, for an edge also both ends) opaque, the rest faint. One copy per cell of the supercell.
   */
  private rebuildNetwork(): void {
    this.clear(this.networkGroup);
    this.networkNodeCount = this.networkEdgeCount = this.networkAccessibleEdgeCount = 0;
    const n = this.network, L = this.lattice;
    if (!n || !L || !this.options.showNetwork) return;
    const range = this.networkRadiusRange()!;
    const t = (r: number) => (range.max > range.min ? (r - range.min) / (range.max - range.min) : 0.5);
    const R = this.options.repeats;
    const cells: [number, number, number][] = [];
    for (let i = 0; i < R[0]; i++) for (let j = 0; j < R[1]; j++) for (let k = 0; k < R[2]; k++) cells.push([i, j, k]);
    const open = (r: number) => r >= n.accessibleRadius;
    for (const accessible of [true, false]) {
      const nodes = n.nodes.filter((x) => open(x.radius) === accessible);
      if (!nodes.length) continue;
      const geo = new THREE.SphereGeometry(1, 12, 8);
      const mat = new THREE.MeshPhongMaterial({ transparent: !accessible, opacity: accessible ? 1 : NETWORK_CLOSED_OPACITY, depthWrite: accessible });
      const mesh = new THREE.InstancedMesh(geo, mat, nodes.length * cells.length);
      mesh.name = accessible ? 'network-nodes-open' : 'network-nodes-closed';
      const m = new THREE.Matrix4(), c = new THREE.Color();
      let idx = 0;
      for (const cell of cells) for (const x of nodes) {
        const p = latticePoint(L, x.frac[0] + cell[0], x.frac[1] + cell[1], x.frac[2] + cell[2]);
        const r = Math.max(0.05, NETWORK_NODE_SCALE * x.radius);
        m.makeScale(r, r, r).setPosition(p);
        mesh.setMatrixAt(idx, m);
        c.setRGB(...colourAt(t(x.radius)));
        mesh.setColorAt(idx, c);
        idx++;
      }
      this.networkGroup.add(mesh);
      this.networkNodeCount += idx;
    }
    for (const accessible of [true, false]) {
      const edges = n.edges.filter((e) => (open(e.bottleneck) && open(n.nodes[e.a].radius) && open(n.nodes[e.b].radius)) === accessible);
      if (!edges.length) continue;
      const pos = new Float32Array(edges.length * cells.length * 6), col = new Float32Array(pos.length);
      let q = 0;
      for (const cell of cells) for (const e of edges) {
        const fa = n.nodes[e.a].frac, fb = n.nodes[e.b].frac;
        const a = latticePoint(L, fa[0] + cell[0], fa[1] + cell[1], fa[2] + cell[2]);
        const b = latticePoint(L, fb[0] + e.offset[0] + cell[0], fb[1] + e.offset[1] + cell[1], fb[2] + e.offset[2] + cell[2]);
        const rgb = colourAt(t(e.bottleneck));
        pos.set([a.x, a.y, a.z, b.x, b.y, b.z], q);
        col.set([...rgb, ...rgb], q);
        q += 6;
      }
      const g = new THREE.BufferGeometry();
      g.setAttribute('position', new THREE.BufferAttribute(pos, 3));
      g.setAttribute('color', new THREE.BufferAttribute(col, 3));
      const lines = new THREE.LineSegments(g, new THREE.LineBasicMaterial({ vertexColors: true, transparent: !accessible, opacity: accessible ? 1 : NETWORK_CLOSED_OPACITY, depthWrite: accessible }));
      lines.name = accessible ? 'network-edges-open' : 'network-edges-closed';
      this.networkGroup.add(lines);
      this.networkEdgeCount += q / 6;
      if (accessible) this.networkAccessibleEdgeCount += q / 6;
    }
  }

  setPath(p: ScenePath | null): void {
    this.path = p && p.points.length >= 2 ? p : null;
    this.rebuildPath();
    this.requestRender();
  }

  /** Isosurface statistics over the whole supercell (what is drawn). */
  isoStats(): { vertexCount: number; bounds: { min: number[]; max: number[] } | null; fracBounds: { min: number[]; max: number[] } | null } {
    const n = this.options.repeats[0] * this.options.repeats[1] * this.options.repeats[2];
    if (!this.isoBase.box || !this.lattice || !this.options.showIso) return { vertexCount: 0, bounds: null, fracBounds: null };
    const L = this.lattice, R = this.options.repeats;
    const box = new THREE.Box3();
    for (const i of [0, R[0] - 1]) for (const j of [0, R[1] - 1]) for (const k of [0, R[2] - 1]) {
      const t = latticePoint(L, i, j, k);
      box.union(this.isoBase.box.clone().translate(t));
    }
    return {
      vertexCount: this.isoBase.vertexCount * n,
      bounds: { min: box.min.toArray(), max: box.max.toArray() },
      fracBounds: { min: [...this.isoBase.fracMin], max: this.isoBase.fracMax.map((x, a) => x + R[a] - 1) },
    };
  }

  /** View direction presets. */
  viewAlong(axis: 'a' | 'b' | 'c' | 'reset'): void {
    if (!this.lattice) return;
    const { centre, radius } = this.bounds();
    const L = this.lattice;
    let dir: THREE.Vector3, up: THREE.Vector3;
    if (axis === 'reset') {
      dir = new THREE.Vector3(0.55, -1.5, 0.75).normalize();
      up = new THREE.Vector3(0, 0, 1);
    } else {
      const i = axis === 'a' ? 0 : axis === 'b' ? 1 : 2;
      dir = new THREE.Vector3(...L[i]).normalize();
      up = new THREE.Vector3(...L[i === 2 ? 1 : 2]).normalize();
    }
    const dist = radius / Math.sin((this.perspCamera.fov * Math.PI) / 360) * 1.02;
    this.controls.target.copy(centre);
    for (const cam of [this.perspCamera, this.orthoCamera]) {
      cam.up.copy(up);
      cam.position.copy(centre).addScaledVector(dir, dist);
      cam.near = Math.max(0.05, dist - radius * 3);
      cam.far = dist + radius * 4;
    }
    this.orthoCamera.zoom = 1;
    this.fitOrtho();
    this.perspCamera.updateProjectionMatrix();
    // OrbitControls caches the up axis at construction; rebuild its quaternion by re-creating the controls state.
    (this.controls as unknown as { _quat?: THREE.Quaternion })._quat?.setFromUnitVectors(up, new THREE.Vector3(0, 1, 0));
    (this.controls as unknown as { _quatInverse?: THREE.Quaternion })._quatInverse?.setFromUnitVectors(up, new THREE.Vector3(0, 1, 0)).invert();
    this.controls.update();
    this.requestRender();
  }

  resetView(): void {
    this.viewAlong('reset');
  }

  /** Fit the (super)cell in view, keeping the viewing direction. */
  refit(): void {
    if (!this.lattice) return;
    const { centre, radius } = this.bounds();
    const dir = this.camera.position.clone().sub(this.controls.target).normalize();
    const dist = radius / Math.sin((this.perspCamera.fov * Math.PI) / 360) * 1.02;
    this.controls.target.copy(centre);
    for (const cam of [this.perspCamera, this.orthoCamera]) {
      cam.up.copy(this.camera.up);
      cam.position.copy(centre).addScaledVector(dir, dist);
      cam.near = Math.max(0.05, dist - radius * 3);
      cam.far = dist + radius * 4;
    }
    this.orthoCamera.zoom = 1;
    this.fitOrtho();
    this.perspCamera.updateProjectionMatrix();
    this.controls.update();
    this.requestRender();
  }

  requestRender(): void {
    if (this.renderScheduled || this.disposed) return;
    this.renderScheduled = true;
    requestAnimationFrame(() => {
      this.renderScheduled = false;
      this.renderNow();
    });
  }

  renderNow(): void {
    this.renderer.render(this.scene, this.camera);
  }

  /** PNG of the current view as a data: URL. */
  snapshot(): string {
    this.renderNow();
    return this.renderer.domElement.toDataURL('image/png');
  }

  /**
   * The view rendered at `scale` × its on-screen pixel size (2×, 4× for print), into a new 2D canvas.
   * Capped by the GPU's largest drawing buffer; the scale actually used is returned.
   */
  renderHighRes(scale: number): { canvas: HTMLCanvasElement; scale: number } {
    const gl = this.renderer.getContext();
    const maxSize = Math.min(gl.getParameter(gl.MAX_RENDERBUFFER_SIZE) as number, (gl.getParameter(gl.MAX_VIEWPORT_DIMS) as Int32Array)[0], 8192);
    const w = Math.max(1, this.container.clientWidth), h = Math.max(1, this.container.clientHeight);
    const used = Math.max(1, Math.min(scale, maxSize / Math.max(w, h)));
    const old = this.renderer.getPixelRatio();
    const out = document.createElement('canvas');
    try {
      this.renderer.setPixelRatio(used);
      this.renderer.setSize(w, h, false);
      this.renderNow();
      out.width = this.renderer.domElement.width;
      out.height = this.renderer.domElement.height;
      out.getContext('2d')!.drawImage(this.renderer.domElement, 0, 0);
    } finally {
      this.renderer.setPixelRatio(old);
      this.renderer.setSize(w, h, false);
      this.renderNow();
    }
    return { canvas: out, scale: used };
  }

  /** Energy range of the path tube's colours (eV), or null without a path. */
  pathEnergyRange(): { min: number; max: number } | null {
    if (!this.path || !this.options.showPath) return null;
    let min = Infinity, max = -Infinity;
    for (const x of this.path.energies) { if (x < min) min = x; if (x > max) max = x; }
    return Number.isFinite(min) ? { min, max } : null;
  }

  /** Render `frames` frames while orbiting; average ms per frame (with a GPU sync each frame). */
  benchmarkFrames(frames: number): number {
    const gl = this.renderer.getContext();
    const px = new Uint8Array(4);
    const t0 = performance.now();
    for (let i = 0; i < frames; i++) {
      this.camera.position.sub(this.controls.target).applyAxisAngle(this.camera.up, (2 * Math.PI) / frames).add(this.controls.target);
      this.camera.lookAt(this.controls.target);
      this.renderNow();
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px); // forces the frame to finish
    }
    return (performance.now() - t0) / frames;
  }

  // ---------------------------------------------------------------- building

  private applyTheme(theme: ThemeColours): void {
    this.theme = theme;
    this.renderer.setClearColor(new THREE.Color(theme.background), 1);
  }

  private resize(): void {
    const w = Math.max(1, this.container.clientWidth), h = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(w, h, false);
    this.perspCamera.aspect = w / h;
    this.perspCamera.updateProjectionMatrix();
    this.fitOrtho();
    this.requestRender();
  }

  private bounds(): { centre: THREE.Vector3; radius: number } {
    const L = this.lattice!;
    const R = this.options.repeats;
    const box = new THREE.Box3();
    for (const i of [0, R[0]]) for (const j of [0, R[1]]) for (const k of [0, R[2]]) box.expandByPoint(latticePoint(L, i, j, k));
    const centre = box.getCenter(new THREE.Vector3());
    const radius = Math.max(1, box.getSize(new THREE.Vector3()).length() / 2 + 1);
    return { centre, radius };
  }

  private clear(group: THREE.Group): void {
    for (const c of [...group.children]) {
      group.remove(c);
      c.traverse((o) => {
        const m = o as THREE.Mesh;
        if (m.geometry && m.geometry !== this.isoGeometry && m.geometry !== impostorQuad()) m.geometry.dispose();
        const mat = m.material as THREE.Material | THREE.Material[] | undefined;
        if (Array.isArray(mat)) mat.forEach((x) => x.dispose()); else mat?.dispose();
        const sm = (o as THREE.Sprite).material as THREE.SpriteMaterial | undefined;
        sm?.map?.dispose();
      });
    }
  }

  private rebuildStructure(): void {
    this.clear(this.atomsGroup);
    this.clear(this.mobileGroup);
    this.clear(this.bondsGroup);
    this.clear(this.polyGroup);
    this.polyhedronCount = 0;
    this.bondCount = 0;
    this.pickable = [];
    this.buildCell();
    if (!this.structure) { this.picked = []; this.updatePickMarkers(); this.countAtoms(); return; }
    const s = this.structure, L = s.lattice, R = this.options.repeats;
    const framework: { opaque: AtomInstance[]; partial: AtomInstance[] } = { opaque: [], partial: [] };
    const mobile: { opaque: AtomInstance[]; partial: AtomInstance[] } = { opaque: [], partial: [] };
    s.atoms.forEach((atom, base) => {
      const look = siteLook(atom, this.options.atomScale, this.options.colourScheme);
      const target = (atom.mobile ? mobile : framework)[look.partial ? 'partial' : 'opaque'];
      for (const f of images(atom.frac, R)) {
        const p = latticePoint(L, f[0], f[1], f[2]);
        target.push({ p, r: look.radius, colour: look.colour, ring: look.ring, base, frac: f });
        this.pickable.push({ site: base, frac: f, p, r: look.radius, element: majority(atom).element, label: atom.label });
      }
    });
    const quad = impostorQuad();
    const m = new THREE.Matrix4(), c = new THREE.Color();
    const addSpheres = (group: THREE.Group, list: AtomInstance[], partial: boolean, name: string) => {
      if (!list.length) return;
      const mesh = new THREE.InstancedMesh(quad, impostorMaterial({ mode: 'sphere', transparent: partial, opacity: partial ? 0.55 : 1 }), list.length);
      mesh.name = name;
      list.forEach((a, i) => {
        mesh.setMatrixAt(i, m.makeScale(a.r, a.r, a.r).setPosition(a.p));
        mesh.setColorAt(i, c.setHex(a.colour));
      });
      mesh.renderOrder = partial ? 1 : 0;
      mesh.frustumCulled = false;
      group.add(mesh);
      const ringed = list.filter((a) => a.ring !== null);
      if (ringed.length) {
        const ringMesh = new THREE.InstancedMesh(quad, impostorMaterial({ mode: 'ring', ringWidth: 0.09 }), ringed.length);
        ringMesh.name = name + '-rings';
        ringed.forEach((a, i) => {
          const s = a.r * 1.15 + 0.05;
          ringMesh.setMatrixAt(i, m.makeScale(s, s, s).setPosition(a.p));
          ringMesh.setColorAt(i, c.setHex(a.ring!));
        });
        ringMesh.frustumCulled = false;
        ringMesh.renderOrder = 2;
        group.add(ringMesh);
      }
    };
    addSpheres(this.atomsGroup, framework.opaque, false, 'framework');
    addSpheres(this.atomsGroup, framework.partial, true, 'framework-partial');
    addSpheres(this.mobileGroup, mobile.opaque, false, 'mobile');
    addSpheres(this.mobileGroup, mobile.partial, true, 'mobile-partial');
    const allMobile = [...mobile.opaque, ...mobile.partial];
    if (allMobile.length) {
      const halo = new THREE.InstancedMesh(quad, impostorMaterial({ mode: 'halo', colour: HALO_COLOUR, opacity: 0.35 }), allMobile.length);
      halo.name = 'mobile-halo';
      allMobile.forEach((a, i) => { const r = a.r * 1.35 + 0.08; halo.setMatrixAt(i, m.makeScale(r, r, r).setPosition(a.p)); });
      halo.frustumCulled = false;
      halo.renderOrder = 1;
      this.mobileGroup.add(halo);
    }
    this.mobileGroup.visible = this.options.showMobile;
    if (this.options.showBonds) this.buildBonds([...framework.opaque, ...framework.partial]);
    if (this.options.showPolyhedra) this.buildPolyhedra([...framework.opaque, ...framework.partial]);
    // Picks survive a rebuild when the same image is still drawn (repeats grown, colours changed).
    this.picked = this.picked.map((a) => this.pickable.find((b) => b.site === a.site && b.frac.every((x, i) => Math.abs(x - a.frac[i]) < 1e-6))).filter((x): x is PickableAtom => !!x);
    this.updatePickMarkers();
    this.countAtoms();
  }

  /** Anion neighbour vectors (Cartesian Å) of each framework atom `base`, all periodic images within the bond cut-off. */
  private neighbourVectors(anionsOnly: boolean): Map<number, { d: THREE.Vector3; q: number }[]> {
    const s = this.structure!, L = s.lattice;
    const widths = perpendicularWidths(L);
    const fw = s.atoms.map((a, i) => ({ a, i })).filter((x) => !x.a.mobile);
    const maxR = Math.max(0, ...fw.map((x) => elementInfo(majority(x.a).element).radius));
    const nImg = widths.map((w) => Math.max(1, Math.ceil((2 * maxR * BOND_FACTOR) / w)));
    const cart = fw.map((x) => latticePoint(L, ...wrapFrac(x.a.frac)));
    const isAnion = fw.map((x) => ANIONS.has(elementInfo(majority(x.a).element).symbol));
    const out = new Map<number, { d: THREE.Vector3; q: number }[]>();
    for (let p = 0; p < fw.length; p++) {
      if (anionsOnly && isAnion[p]) continue;
      const rp = elementInfo(majority(fw[p].a).element).radius;
      const list: { d: THREE.Vector3; q: number }[] = [];
      for (let q = 0; q < fw.length; q++) {
        if (anionsOnly && !isAnion[q]) continue;
        const cut = (rp + elementInfo(majority(fw[q].a).element).radius) * BOND_FACTOR;
        for (let i = -nImg[0]; i <= nImg[0]; i++) for (let j = -nImg[1]; j <= nImg[1]; j++) for (let k = -nImg[2]; k <= nImg[2]; k++) {
          const d = cart[q].clone().add(latticePoint(L, i, j, k)).sub(cart[p]);
          const len = d.length();
          if (len > 0.4 && len < cut) list.push({ d, q: fw[q].i });
        }
      }
      out.set(fw[p].i, list);
    }
    return out;
  }

  /** Convex hulls of each framework cation's anion neighbours (4 or more, not coplanar), one instanced mesh per site. */
  private buildPolyhedra(instances: AtomInstance[]): void {
    const neighbours = this.neighbourVectors(true);
    const bySite = new Map<number, AtomInstance[]>();
    for (const a of instances) if (neighbours.has(a.base)) (bySite.get(a.base) ?? bySite.set(a.base, []).get(a.base)!).push(a);
    const edges: number[] = [];
    const m = new THREE.Matrix4();
    for (const [site, list] of bySite) {
      const vs = neighbours.get(site)!.map((n) => n.d);
      if (vs.length < 4) continue;
      let geo: THREE.BufferGeometry;
      try { geo = new ConvexGeometry(vs); } catch { continue; }
      if (!geo.attributes.position || geo.attributes.position.count < 12) { geo.dispose(); continue; }
      const mesh = new THREE.InstancedMesh(geo, new THREE.MeshPhongMaterial({ color: list[0].colour, transparent: true, opacity: 0.45, depthWrite: false, side: THREE.DoubleSide, shininess: 30 }), list.length);
      list.forEach((a, i) => mesh.setMatrixAt(i, m.makeTranslation(a.p)));
      mesh.frustumCulled = false;
      mesh.renderOrder = 2;
      mesh.name = 'polyhedra';
      this.polyGroup.add(mesh);
      this.polyhedronCount += list.length;
      const eg = new THREE.EdgesGeometry(geo, 1);
      const ep = eg.attributes.position.array as Float32Array;
      for (const a of list) for (let i = 0; i < ep.length; i += 3) edges.push(ep[i] + a.p.x, ep[i + 1] + a.p.y, ep[i + 2] + a.p.z);
      eg.dispose();
    }
    if (edges.length) {
      const g = new THREE.BufferGeometry();
      g.setAttribute('position', new THREE.Float32BufferAttribute(edges, 3));
      const lines = new THREE.LineSegments(g, new THREE.LineBasicMaterial({ color: this.theme.foreground, transparent: true, opacity: 0.35 }));
      lines.name = 'polyhedra-edges';
      this.polyGroup.add(lines);
    }
  }

  // ---------------------------------------------------------------- cameras

  /** Make the other camera active, keeping the view: same direction, target and apparent size. */
  private switchCamera(from: THREE.PerspectiveCamera | THREE.OrthographicCamera): void {
    const to = from === this.perspCamera ? this.orthoCamera : this.perspCamera;
    const target = this.controls.target;
    to.up.copy(from.up);
    to.near = from.near;
    to.far = from.far;
    if (to === this.orthoCamera) {
      to.position.copy(from.position);
      this.orthoCamera.zoom = 1;
      this.fitOrtho();
    } else {
      // A zoomed orthographic view becomes a perspective one at the distance that shows the same size.
      const offset = from.position.clone().sub(target).divideScalar(Math.max(1e-3, this.orthoCamera.zoom));
      to.position.copy(target).add(offset);
      this.perspCamera.updateProjectionMatrix();
    }
    this.controls.object = to;
    this.controls.update();
  }

  /** Orthographic frustum that shows what the perspective camera shows at the target's distance. */
  private fitOrtho(): void {
    const o = this.orthoCamera;
    const dist = Math.max(0.1, o.position.distanceTo(this.controls.target));
    const halfH = dist * Math.tan((this.perspCamera.fov * Math.PI) / 360);
    const aspect = this.perspCamera.aspect || 1;
    o.left = -halfH * aspect; o.right = halfH * aspect; o.top = halfH; o.bottom = -halfH;
    o.updateProjectionMatrix();
  }

  private zoomOrtho(f: number): void {
    this.orthoCamera.zoom = Math.min(50, Math.max(0.05, this.orthoCamera.zoom * f));
    this.orthoCamera.updateProjectionMatrix();
  }

  // ---------------------------------------------------------------- picking

  /** Pick the nearest drawn atom under client coordinates; toggles it in the selection (at most 3). */
  pickAt(clientX: number, clientY: number): PickableAtom | null {
    const rect = this.renderer.domElement.getBoundingClientRect();
    const ndc = new THREE.Vector2(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
    const ray = new THREE.Raycaster();
    ray.setFromCamera(ndc, this.camera);
    const mobileSites = new Set(this.structure?.atoms.map((a, i) => (a.mobile ? i : -1)).filter((i) => i >= 0));
    let best: PickableAtom | null = null, bestT = Infinity;
    const oc = new THREE.Vector3();
    for (const a of this.pickable) {
      if (!this.options.showMobile && mobileSites.has(a.site)) continue;
      oc.copy(a.p).sub(ray.ray.origin);
      const b = oc.dot(ray.ray.direction);
      const disc = b * b - (oc.lengthSq() - a.r * a.r);
      if (disc < 0) continue;
      const t = b - Math.sqrt(disc);
      if (t > 0 && t < bestT) { bestT = t; best = a; }
    }
    if (!best) { this.clearPicks(); return null; }
    const i = this.picked.indexOf(best);
    if (i >= 0) this.picked.splice(i, 1);
    else { if (this.picked.length >= 3) this.picked = []; this.picked.push(best); }
    this.updatePickMarkers();
    return best;
  }

  clearPicks(): void {
    if (!this.picked.length) return;
    this.picked = [];
    this.updatePickMarkers();
  }

  /** The current selection: distances between consecutive picks (Å) and the angle at the middle one (degrees). */
  measurement(): PickMeasurement {
    const a = this.picked;
    const distances: number[] = [];
    for (let i = 1; i < a.length; i++) distances.push(a[i].p.distanceTo(a[i - 1].p));
    let angle: number | null = null;
    if (a.length === 3) {
      const u = a[0].p.clone().sub(a[1].p), v = a[2].p.clone().sub(a[1].p);
      angle = (Math.acos(Math.max(-1, Math.min(1, u.dot(v) / (u.length() * v.length())))) * 180) / Math.PI;
    }
    return { atoms: [...a], distances, angle };
  }

  /** Screen (client) coordinates of every drawn atom image in front of the camera: for tests and tooltips. */
  atomScreenPositions(): { index: number; x: number; y: number; depth: number; site: number; frac: [number, number, number]; element: string }[] {
    const rect = this.renderer.domElement.getBoundingClientRect();
    this.camera.updateMatrixWorld();
    return this.pickable.map((a, index) => {
      const v = a.p.clone().project(this.camera);
      return { index, x: rect.left + ((v.x + 1) / 2) * rect.width, y: rect.top + ((1 - v.y) / 2) * rect.height, depth: v.z, site: a.site, frac: a.frac, element: a.element };
    }).filter((q) => q.depth > -1 && q.depth < 1);
  }

  private updatePickMarkers(): void {
    this.clear(this.pickGroup);
    if (this.picked.length) {
      const mesh = new THREE.InstancedMesh(impostorQuad(), impostorMaterial({ mode: 'ring', ringWidth: 0.14 }), this.picked.length);
      const m = new THREE.Matrix4(), c = new THREE.Color(PICK_COLOUR);
      this.picked.forEach((a, i) => { const r = a.r * 1.3 + 0.12; mesh.setMatrixAt(i, m.makeScale(r, r, r).setPosition(a.p)); mesh.setColorAt(i, c); });
      mesh.frustumCulled = false;
      mesh.renderOrder = 7;
      mesh.name = 'picked';
      this.pickGroup.add(mesh);
      if (this.picked.length > 1) {
        const g = new THREE.BufferGeometry().setFromPoints(this.picked.map((a) => a.p));
        const line = new THREE.Line(g, new THREE.LineDashedMaterial({ color: PICK_COLOUR, dashSize: 0.25, gapSize: 0.15, depthTest: false }));
        line.computeLineDistances();
        line.renderOrder = 8;
        this.pickGroup.add(line);
      }
    }
    this.onPick?.(this.measurement());
    this.requestRender();
  }

  private countAtoms(): void {
    let fw = 0, mob = 0;
    for (const o of this.atomsGroup.children) if (o.name === 'framework' || o.name === 'framework-partial') fw += (o as THREE.InstancedMesh).count;
    for (const o of this.mobileGroup.children) if (o.name === 'mobile' || o.name === 'mobile-partial') mob += (o as THREE.InstancedMesh).count;
    this.mobileCount = mob;
    this.atomCount = fw + (this.options.showMobile ? mob : 0);
  }

  private buildBonds(instances: AtomInstance[]): void {
    const s = this.structure!, L = s.lattice;
    // Neighbour vectors per base atom, over all periodic images within the cut-off.
    const widths = perpendicularWidths(L);
    const fw = s.atoms.map((a, i) => ({ a, i })).filter((x) => !x.a.mobile);
    const maxR = Math.max(0, ...fw.map((x) => elementInfo(majority(x.a).element).radius));
    const maxCut = 2 * maxR * BOND_FACTOR;
    const nImg = widths.map((w) => Math.max(1, Math.ceil(maxCut / w)));
    const neighbours = new Map<number, THREE.Vector3[]>();
    const cart = fw.map((x) => latticePoint(L, ...wrapFrac(x.a.frac)));
    const isAnion = fw.map((x) => ANIONS.has(elementInfo(majority(x.a).element).symbol));
    const hasAnions = isAnion.some(Boolean);
    let total = 0;
    for (let p = 0; p < fw.length; p++) {
      const rp = elementInfo(majority(fw[p].a).element).radius;
      const list: THREE.Vector3[] = [];
      for (let q = 0; q < fw.length; q++) {
        // With anions present: cation–anion bonds, and anion–anion only when short (S–S, O–O);
        // no cation–cation bonds. Without anions (intermetallics): every pair.
        let factor = BOND_FACTOR;
        if (hasAnions) {
          if (!isAnion[p] && !isAnion[q]) continue;
          if (isAnion[p] && isAnion[q]) factor = 1.05;
        }
        const cut = (rp + elementInfo(majority(fw[q].a).element).radius) * factor;
        for (let i = -nImg[0]; i <= nImg[0]; i++) for (let j = -nImg[1]; j <= nImg[1]; j++) for (let k = -nImg[2]; k <= nImg[2]; k++) {
          const d = cart[q].clone().add(latticePoint(L, i, j, k)).sub(cart[p]);
          const len = d.length();
          if (len > 0.4 && len < cut) list.push(d);
        }
      }
      neighbours.set(fw[p].i, list);
      total += list.length;
      if (total > 200000) break;
    }
    // Only bonds whose both ends are drawn (no dangling stubs at the cell boundary).
    const key = (v: THREE.Vector3) => `${Math.round(v.x * 100)},${Math.round(v.y * 100)},${Math.round(v.z * 100)}`;
    const shown = new Set(instances.map((a) => key(a.p)));
    const halves: { p: THREE.Vector3; d: THREE.Vector3; colour: number }[] = [];
    const end = new THREE.Vector3();
    for (const a of instances) {
      for (const d of neighbours.get(a.base) ?? []) {
        if (shown.has(key(end.copy(a.p).add(d)))) halves.push({ p: a.p, d, colour: a.colour });
      }
    }
    if (!halves.length || halves.length > 400000) return;
    const geo = new THREE.CylinderGeometry(1, 1, 1, 10, 1, true).translate(0, 0.5, 0);
    const mesh = new THREE.InstancedMesh(geo, new THREE.MeshPhongMaterial({ shininess: 40 }), halves.length);
    const m = new THREE.Matrix4(), q = new THREE.Quaternion(), sc = new THREE.Vector3(), y = new THREE.Vector3(0, 1, 0), c = new THREE.Color();
    const rb = 0.1 * (this.options.atomScale / 0.3) ** 0.5;
    halves.forEach((h, i) => {
      const len = h.d.length() / 2;
      q.setFromUnitVectors(y, h.d.clone().normalize());
      m.compose(h.p, q, sc.set(rb, len, rb));
      mesh.setMatrixAt(i, m);
      mesh.setColorAt(i, c.setHex(h.colour));
    });
    mesh.frustumCulled = false;
    mesh.name = 'bonds';
    this.bondsGroup.add(mesh);
    this.bondCount = halves.length / 2;
  }

  private buildCell(): void {
    this.clear(this.cellGroup);
    if (!this.lattice) return;
    const L = this.lattice, R = this.options.repeats;
    const pts: number[] = [];
    const seg = (a: THREE.Vector3, b: THREE.Vector3) => pts.push(a.x, a.y, a.z, b.x, b.y, b.z);
    for (let i = 0; i < R[0]; i++) for (let j = 0; j < R[1]; j++) for (let k = 0; k < R[2]; k++) {
      const c = (u: number, v: number, w: number) => latticePoint(L, i + u, j + v, k + w);
      for (const [u, v] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        seg(c(0, u, v), c(1, u, v));
        seg(c(u, 0, v), c(u, 1, v));
        seg(c(u, v, 0), c(u, v, 1));
      }
    }
    const g = new THREE.BufferGeometry();
    g.setAttribute('position', new THREE.Float32BufferAttribute(pts, 3));
    const lines = new THREE.LineSegments(g, new THREE.LineBasicMaterial({ color: this.theme.grid, transparent: true, opacity: 0.8 }));
    lines.name = 'cell';
    this.cellGroup.add(lines);

    // Axes a, b, c from the origin, with labels.
    const lengths = L.map((v) => Math.hypot(...v));
    const label = Math.min(2.2, Math.max(0.7, 0.09 * Math.max(...lengths.map((x, i) => x * R[i]))));
    ['a', 'b', 'c'].forEach((name, i) => {
      const dir = new THREE.Vector3(...L[i]).normalize();
      const len = Math.min(lengths[i] * 0.35, 3.5);
      const arrow = new THREE.ArrowHelper(dir, new THREE.Vector3(), len, AXIS_COLOURS[i], Math.min(0.6, len * 0.25), Math.min(0.3, len * 0.12));
      (arrow.line.material as THREE.LineBasicMaterial).depthTest = false;
      (arrow.cone.material as THREE.MeshBasicMaterial).depthTest = false;
      arrow.renderOrder = 5;
      this.cellGroup.add(arrow);
      const sprite = textSprite(name, AXIS_COLOURS[i], this.theme.background);
      sprite.position.copy(dir.clone().multiplyScalar(len + label * 0.45));
      sprite.scale.setScalar(label);
      sprite.renderOrder = 6;
      this.cellGroup.add(sprite);
    });
  }

  private layoutIso(): void {
    this.clear(this.isoGroup);
    this.isoMaterials = [];
    if (!this.isoGeometry || !this.lattice) return;
    const L = this.lattice, R = this.options.repeats;
    const n = R[0] * R[1] * R[2];
    const m = new THREE.Matrix4();
    for (const side of [THREE.BackSide, THREE.FrontSide]) {
      const transparent = this.options.isoOpacity < 0.999;
      const mat = new THREE.MeshPhongMaterial({
        color: this.options.isoColour, side, transparent, opacity: this.options.isoOpacity,
        depthWrite: !transparent, shininess: 40, specular: 0x333333,
        polygonOffset: true, polygonOffsetFactor: 1, polygonOffsetUnits: 1,
      });
      this.isoMaterials.push(mat);
      const mesh = new THREE.InstancedMesh(this.isoGeometry, mat, n);
      let idx = 0;
      for (let i = 0; i < R[0]; i++) for (let j = 0; j < R[1]; j++) for (let k = 0; k < R[2]; k++) {
        mesh.setMatrixAt(idx++, m.makeTranslation(latticePoint(L, i, j, k)));
      }
      mesh.frustumCulled = false;
      mesh.renderOrder = side === THREE.BackSide ? 3 : 4;
      mesh.name = 'isosurface';
      this.isoGroup.add(mesh);
    }
    this.isoGroup.visible = this.options.showIso;
  }

  private rebuildPath(): void {
    this.clear(this.pathGroup);
    this.pathImageCount = 0;
    const p = this.path;
    if (!p || !this.lattice) return;
    const L = this.lattice, R = this.options.repeats;
    const inv = invert3(L);
    const pts = p.points.map((x) => new THREE.Vector3(...x));
    // Drop consecutive duplicates (the curve needs distinct points).
    const keep: number[] = [0];
    for (let i = 1; i < pts.length; i++) if (pts[i].distanceTo(pts[keep[keep.length - 1]]) > 1e-4) keep.push(i);
    if (keep.length < 2) return;
    const curvePts = keep.map((i) => pts[i]);
    const curve = new THREE.CatmullRomCurve3(curvePts, false, 'centripetal');
    const tubular = Math.min(1200, Math.max(64, curvePts.length * 8));
    const radius = 0.16;
    const geo = new THREE.TubeGeometry(curve, tubular, radius, 12, false);
    // Vertex colours: ring i is at arc fraction i/tubular; energy interpolated along the path's distances.
    const d = p.distances, e = p.energies;
    const total = d[d.length - 1] || 1;
    let eMin = Infinity, eMax = -Infinity;
    for (const x of e) { if (x < eMin) eMin = x; if (x > eMax) eMax = x; }
    const span = eMax - eMin || 1;
    const colours = new Float32Array(geo.attributes.position.count * 3);
    const perRing = 12 + 1;
    let seg = 0;
    for (let i = 0; i <= tubular; i++) {
      const s = (i / tubular) * total;
      while (seg < d.length - 2 && d[seg + 1] < s) seg++;
      const t = d[seg + 1] > d[seg] ? (s - d[seg]) / (d[seg + 1] - d[seg]) : 0;
      const energy = e[seg] + Math.min(1, Math.max(0, t)) * (e[seg + 1] - e[seg]);
      const [r, g, b] = colourAt((energy - eMin) / span);
      for (let j = 0; j < perRing; j++) {
        const o = (i * perRing + j) * 3;
        colours[o] = r; colours[o + 1] = g; colours[o + 2] = b;
      }
    }
    const col = new THREE.BufferAttribute(colours, 3);
    geo.setAttribute('color', col);
    // Clip to the supercell so periodic images tile it exactly.
    const eps = 1e-3;
    this.clipPlanes = [];
    for (let a = 0; a < 3; a++) {
      const n = new THREE.Vector3(inv[0][a], inv[1][a], inv[2][a]);
      const len = n.length();
      n.divideScalar(len);
      this.clipPlanes.push(new THREE.Plane(n.clone(), eps / len));
      this.clipPlanes.push(new THREE.Plane(n.clone().negate(), (R[a] + eps) / len));
    }
    const mat = new THREE.MeshPhongMaterial({ vertexColors: true, shininess: 50, clippingPlanes: this.clipPlanes, side: THREE.DoubleSide });
    // Images: integer shifts s with the path's fractional extent overlapping [0, R].
    const fmin = [Infinity, Infinity, Infinity], fmax = [-Infinity, -Infinity, -Infinity];
    for (const q of curvePts) for (let a = 0; a < 3; a++) {
      const f = q.x * inv[0][a] + q.y * inv[1][a] + q.z * inv[2][a];
      fmin[a] = Math.min(fmin[a], f); fmax[a] = Math.max(fmax[a], f);
    }
    const ranges = [0, 1, 2].map((a) => [Math.ceil(-fmax[a] + 1e-6), Math.floor(R[a] - fmin[a] - 1e-6)]);
    const shifts: THREE.Vector3[] = [];
    for (let i = ranges[0][0]; i <= ranges[0][1]; i++) for (let j = ranges[1][0]; j <= ranges[1][1]; j++) for (let k = ranges[2][0]; k <= ranges[2][1]; k++) {
      if (shifts.length < 216) shifts.push(latticePoint(L, i, j, k));
    }
    const mesh = new THREE.InstancedMesh(geo, mat, Math.max(1, shifts.length));
    const m = new THREE.Matrix4();
    shifts.forEach((t, i) => mesh.setMatrixAt(i, m.makeTranslation(t)));
    mesh.count = shifts.length;
    mesh.frustumCulled = false;
    mesh.name = 'path';
    mesh.renderOrder = 2;
    this.pathGroup.add(mesh);
    this.pathImageCount = shifts.length;
    this.pathGroup.visible = this.options.showPath;
  }

  private onKey(e: KeyboardEvent): void {
    const target = this.controls.target;
    const offset = this.camera.position.clone().sub(target);
    const step = Math.PI / 36;
    const up = this.camera.up.clone().normalize();
    const right = new THREE.Vector3().crossVectors(offset, up).normalize();
    switch (e.key) {
      case 'ArrowLeft': offset.applyAxisAngle(up, -step); break;
      case 'ArrowRight': offset.applyAxisAngle(up, step); break;
      case 'ArrowUp': if (offset.clone().normalize().dot(up) < 0.97) offset.applyAxisAngle(right, -step); break;
      case 'ArrowDown': if (offset.clone().normalize().dot(up) > -0.97) offset.applyAxisAngle(right, step); break;
      case '+': case '=': if (this.options.orthographic) this.zoomOrtho(1 / 0.9); else offset.multiplyScalar(0.9); break;
      case '-': case '_': if (this.options.orthographic) this.zoomOrtho(0.9); else offset.multiplyScalar(1 / 0.9); break;
      case 'Escape': this.clearPicks(); return;
      case '0': case 'Home': this.resetView(); e.preventDefault(); return;
      default: return;
    }
    e.preventDefault();
    this.camera.position.copy(target).add(offset);
    this.camera.lookAt(target);
    this.controls.update();
    this.requestRender();
  }
}

// ------------------------------------------------------------------ helpers

/** Whether WebGL is backed by a software rasteriser (probed on a throwaway context). */
export function detectSoftwareGL(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return false;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
  } catch {
    return false;
  }
}

export function latticePoint(L: Mat3, f0: number, f1: number, f2: number): THREE.Vector3 {
  return new THREE.Vector3(
    f0 * L[0][0] + f1 * L[1][0] + f2 * L[2][0],
    f0 * L[0][1] + f1 * L[1][1] + f2 * L[2][1],
    f0 * L[0][2] + f1 * L[1][2] + f2 * L[2][2],
  );
}

export function invert3(m: Mat3): Mat3 {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

function perpendicularWidths(L: Mat3): number[] {
  const v = L.map((r) => new THREE.Vector3(...r));
  const vol = Math.abs(v[0].dot(new THREE.Vector3().crossVectors(v[1], v[2])));
  return [0, 1, 2].map((i) => vol / new THREE.Vector3().crossVectors(v[(i + 1) % 3], v[(i + 2) % 3]).length());
}

/** Wrap into [0, 1), snapping values within the face tolerance of 1 to 0. */
export function wrapFrac(f: readonly number[]): [number, number, number] {
  return [0, 1, 2].map((a) => {
    let x = f[a] - Math.floor(f[a]);
    if (x > 1 - FACE_TOL) x -= 1;
    return x;
  }) as [number, number, number];
}

/**
 * Every image of a fractional position inside the supercell [0, R] (closed, with a small tolerance),
 * so atoms on faces, edges and corners appear on every equivalent face.
 */
export function images(frac: readonly number[], R: readonly [number, number, number]): [number, number, number][] {
  const f = wrapFrac(frac);
  const per = [0, 1, 2].map((a) => {
    const out: number[] = [];
    for (let n = 0; n <= R[a]; n++) {
      const x = f[a] + n;
      if (x >= -FACE_TOL && x <= R[a] + FACE_TOL) out.push(x);
    }
    return out;
  });
  const res: [number, number, number][] = [];
  for (const x of per[0]) for (const y of per[1]) for (const z of per[2]) res.push([x, y, z]);
  return res;
}

function majority(a: SceneAtom): { element: string; occupancy: number } {
  if (!a.species?.length) return { element: a.element, occupancy: a.occupancy };
  return [...a.species].sort((x, y) => y.occupancy - x.occupancy)[0];
}

/** How a site is drawn: colour of the majority species; a ring for partial/mixed sites. */
export function siteLook(a: SceneAtom, scale: number, scheme: ColourScheme = 'jmol'): { colour: number; radius: number; partial: boolean; ring: number | null } {
  const species = a.species?.length ? [...a.species].sort((x, y) => y.occupancy - x.occupancy) : [{ element: a.element, occupancy: a.occupancy }];
  const main = elementInfo(species[0].element);
  const total = species.reduce((s, x) => s + x.occupancy, 0);
  const mixed = species.length > 1;
  const partial = mixed || total < 0.999;
  const ring = !partial ? null : mixed ? elementColour(species[1].element, scheme) : VACANCY_COLOUR;
  return { colour: elementColour(species[0].element, scheme), radius: main.radius * scale, partial, ring };
}

function textSprite(text: string, colour: number, background: string): THREE.Sprite {
  const size = 128;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext('2d')!;
  ctx.font = `bold ${size * 0.62}px sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineWidth = size * 0.08;
  ctx.strokeStyle = background;
  ctx.strokeText(text, size / 2, size / 2);
  ctx.fillStyle = `#${colour.toString(16).padStart(6, '0')}`;
  ctx.fillText(text, size / 2, size / 2);
  const tex = new THREE.CanvasTexture(canvas);
  tex.colorSpace = THREE.SRGBColorSpace;
  const sprite = new THREE.Sprite(new THREE.SpriteMaterial({ map: tex, depthTest: false, transparent: true }));
  return sprite;
}
