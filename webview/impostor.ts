/**
 * Sphere, halo and ring impostors: each atom is one camera-facing quad (2 triangles) whose fragment
 * shader ray-casts an exact sphere and writes its true depth. Thousands of atoms cost almost nothing
 * in vertices, which matters when the webview falls back to software WebGL (SwiftShader), and the
 * spheres are perfectly round at any zoom.
 *
 * Use with an `InstancedMesh` of `impostorQuad()`: per-instance position = sphere centre, uniform
 * scale = radius (halo/ring: their outer radius), per-instance colour via `setColorAt`.
 * Lighting mimics the Phong look of the rest of the scene: ambient + a headlight + specular.
 */
import * as THREE from 'three';

export type ImpostorMode = 'sphere' | 'halo' | 'ring';

let quad: THREE.PlaneGeometry | null = null;
/** The shared quad geometry (positions in [-1, 1]²). */
export function impostorQuad(): THREE.PlaneGeometry {
  quad ??= new THREE.PlaneGeometry(2, 2);
  return quad;
}

const vertexShader = /* glsl */ `
varying vec3 vViewPos;
varying vec3 vCentre;
varying float vRadius;
varying vec3 vColor;
uniform vec3 uColor;
void main() {
  mat4 mv = modelViewMatrix * instanceMatrix;
  vec3 c = (mv * vec4(0.0, 0.0, 0.0, 1.0)).xyz;
  float r = length((mv * vec4(1.0, 0.0, 0.0, 0.0)).xyz);
  float d = length(c);
#ifdef USE_INSTANCING_COLOR
  vColor = instanceColor;
#else
  vColor = uColor;
#endif
  vCentre = c;
  vRadius = r;
  if (!isOrthographic && d <= r * 1.0001) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); return; } // camera inside: skip
  // Billboard facing the camera position; half-size covers the sphere's silhouette cone exactly.
  // Orthographic view: all rays are parallel to -z, so the billboard faces +z and covers r.
  vec3 w = isOrthographic ? vec3(0.0, 0.0, 1.0) : -c / d;
  vec3 up = abs(w.y) < 0.99 ? vec3(0.0, 1.0, 0.0) : vec3(1.0, 0.0, 0.0);
  vec3 u = normalize(cross(up, w));
  vec3 v = cross(w, u);
#ifdef RING
  float R = r;
#else
  float R = isOrthographic ? r * 1.02 : d * r / sqrt(d * d - r * r) * 1.02;
#endif
  vec3 pos = c + (u * position.x + v * position.y) * R;
  vViewPos = pos;
  gl_Position = projectionMatrix * vec4(pos, 1.0);
}
`;

const fragmentShader = /* glsl */ `
uniform mat4 projectionMatrix;
varying vec3 vViewPos;
varying vec3 vCentre;
varying float vRadius;
varying vec3 vColor;
uniform vec3 uLightDir;
uniform float uAmbient;
uniform float uDiffuse;
uniform float uSpecular;
uniform float uOpacity;
uniform float uRingWidth;
void main() {
#ifdef RING
  // Annulus in the billboard plane through the centre, outer radius = instance scale.
  float q = length(vViewPos - vCentre) / vRadius;
  float aa = fwidth(q);
  float a = smoothstep(1.0 - uRingWidth - aa, 1.0 - uRingWidth, q) * (1.0 - smoothstep(1.0 - aa, 1.0, q));
  if (a <= 0.01) discard;
  gl_FragColor = vec4(vColor, a * uOpacity);
#else
  // Ray from the eye (perspective) or from the image plane along -z (orthographic) through this fragment.
  vec3 o = isOrthographic ? vec3(vViewPos.xy, 0.0) : vec3(0.0);
  vec3 dir = isOrthographic ? vec3(0.0, 0.0, -1.0) : normalize(vViewPos);
  vec3 oc = vCentre - o;
  float b = dot(dir, oc);
  float disc = b * b - (dot(oc, oc) - vRadius * vRadius);
  if (disc < 0.0) discard;
  float s = sqrt(disc);
#ifdef HALO
  float t = b + s; // far side: the halo shows only around the atom it surrounds
#else
  float t = b - s;
#endif
  vec3 p = o + dir * t;
  vec4 clip = projectionMatrix * vec4(p, 1.0);
  gl_FragDepth = clip.z / clip.w * 0.5 + 0.5;
  // Soft silhouette edge (with alpha-to-coverage when opaque).
  float edge = clamp(disc / max(fwidth(disc), 1e-6), 0.0, 1.0);
#ifdef HALO
  gl_FragColor = vec4(vColor, uOpacity * edge);
#else
  vec3 n = (p - vCentre) / vRadius;
  vec3 L = normalize(uLightDir);
  vec3 V = -dir;
  float diff = max(dot(n, L), 0.0);
  float spec = pow(max(dot(n, normalize(L + V)), 0.0), 60.0);
  vec3 col = vColor * (uAmbient + uDiffuse * diff) + vec3(uSpecular * spec);
  gl_FragColor = vec4(col, uOpacity * edge);
#endif
#endif
  #include <tonemapping_fragment>
  #include <colorspace_fragment>
}
`;

export interface ImpostorOptions {
  mode: ImpostorMode;
  opacity?: number;
  transparent?: boolean;
  /** Colour when the mesh has no instance colours (halo). */
  colour?: THREE.ColorRepresentation;
  /** Ring line width as a fraction of its radius. */
  ringWidth?: number;
}

/** Headlight direction in view space (matches the DirectionalLight attached to the camera). */
export const HEADLIGHT_DIR = new THREE.Vector3(0.4, 0.6, 1).normalize();

export function impostorMaterial(o: ImpostorOptions): THREE.ShaderMaterial {
  const transparent = o.transparent ?? o.mode !== 'sphere';
  const defines: Record<string, string> = {};
  if (o.mode === 'halo') defines.HALO = '';
  if (o.mode === 'ring') defines.RING = '';
  const m = new THREE.ShaderMaterial({
    vertexShader, fragmentShader, defines, transparent,
    depthWrite: !transparent,
    side: THREE.DoubleSide,
    uniforms: {
      uColor: { value: new THREE.Color(o.colour ?? 0xffffff) },
      uLightDir: { value: HEADLIGHT_DIR.clone() },
      uAmbient: { value: 0.38 },
      uDiffuse: { value: 0.72 },
      uSpecular: { value: 0.22 },
      uOpacity: { value: o.opacity ?? 1 },
      uRingWidth: { value: o.ringWidth ?? 0.1 },
    },
  });
  m.alphaToCoverage = !transparent && o.mode === 'sphere';
  return m;
}
