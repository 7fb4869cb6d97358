/** Theme colours read from VS Code's `--vscode-*` CSS variables, with a dark fallback. */

export interface ThemeColours {
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  accent: string;
  kind: 'dark' | 'light' | 'high-contrast' | 'high-contrast-light';
}

let probe: CanvasRenderingContext2D | null = null;

/** Normalise any CSS colour (#rgb, #rrggbbaa, rgb(), names) to [r, g, b, a] with r,g,b in 0–255, a in 0–1. */
export function parseCssColour(s: string, fallback: string): [number, number, number, number] {
  probe ??= document.createElement('canvas').getContext('2d');
  const str = (s || '').trim() || fallback;
  if (!probe) return [128, 128, 128, 1];
  probe.fillStyle = fallback;
  probe.fillStyle = str; // invalid strings are ignored and leave the fallback
  const v = String(probe.fillStyle);
  if (v.startsWith('#')) {
    return [parseInt(v.slice(1, 3), 16), parseInt(v.slice(3, 5), 16), parseInt(v.slice(5, 7), 16), 1];
  }
  const m = /rgba?\(([^)]+)\)/.exec(v);
  if (m) {
    const p = m[1].split(',').map((x) => parseFloat(x));
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  return [128, 128, 128, 1];
}

export function toHex([r, g, b]: [number, number, number, number]): string {
  return '#' + [r, g, b].map((x) => Math.round(x).toString(16).padStart(2, '0')).join('');
}

function luminance([r, g, b]: [number, number, number, number]): number {
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

export function readTheme(): ThemeColours {
  const cs = getComputedStyle(document.body);
  const v = (name: string) => cs.getPropertyValue(name).trim();
  const bgRaw = parseCssColour(v('--vscode-editor-background'), '#1e1e1e');
  const fgRaw = parseCssColour(v('--vscode-foreground') || v('--vscode-editor-foreground'), luminance(bgRaw) > 0.5 ? '#333333' : '#cccccc');
  const mutedRaw = parseCssColour(v('--vscode-descriptionForeground'), toHex(fgRaw));
  const accentRaw = parseCssColour(v('--vscode-focusBorder'), '#007fd4');
  const cls = document.body.classList;
  const kind: ThemeColours['kind'] = cls.contains('vscode-high-contrast-light') ? 'high-contrast-light'
    : cls.contains('vscode-high-contrast') ? 'high-contrast'
      : cls.contains('vscode-light') || luminance(bgRaw) > 0.5 ? 'light' : 'dark';
  const bg = toHex(bgRaw), fg = toHex(fgRaw);
  // Cell edges: foreground mixed towards the background, stronger in high contrast.
  const mix = kind.startsWith('high-contrast') ? 0.9 : 0.55;
  const m = (i: number) => bgRaw[i] + (fgRaw[i] - bgRaw[i]) * mix;
  const grid = toHex([m(0), m(1), m(2), 1]);
  return { background: bg, foreground: fg, muted: toHex(mutedRaw), grid, accent: toHex(accentRaw), kind };
}

/** Call `f` when VS Code switches theme (it rewrites the body class and the root style). */
export function onThemeChange(f: () => void): void {
  let t: ReturnType<typeof setTimeout> | undefined;
  const fire = () => { clearTimeout(t); t = setTimeout(f, 30); };
  const obs = new MutationObserver(fire);
  obs.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'style'] });
}
