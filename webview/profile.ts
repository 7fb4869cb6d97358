/**
 * Energy profile of the migration path on a canvas: distance along the path (Å) against energy
 * (eV), the line coloured with the same map as the tube, the barrier marked and labelled with its
 * value, unit and method.
 */
import type { ScenePath } from '../src/protocol/scene';
import { cssColourAt } from './colormap';
import { fmtEnergy, niceTicks, tickLabel } from './format';
import type { ThemeColours } from './theme';

export interface ProfileInfo { drawn: boolean; barrierIndex: number }

export function drawProfile(canvas: HTMLCanvasElement, path: ScenePath | null, theme: ThemeColours, energyMethod: string | null): ProfileInfo {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(120, canvas.clientWidth || 260), h = Math.max(80, canvas.clientHeight || 170);
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx) return { drawn: false, barrierIndex: -1 };
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  if (!path || path.points.length < 2) {
    canvas.setAttribute('aria-label', 'Energy profile: no path');
    return { drawn: false, barrierIndex: -1 };
  }
  const font = getComputedStyle(document.body).fontFamily || 'sans-serif';
  const d = path.distances, e = path.energies;
  const n = Math.min(d.length, e.length);
  let eMin = Infinity, eMax = -Infinity, iMax = 0;
  for (let i = 0; i < n; i++) {
    if (e[i] < eMin) eMin = e[i];
    if (e[i] > eMax) { eMax = e[i]; iMax = i; }
  }
  const dMax = d[n - 1] > 0 ? d[n - 1] : 1;
  const pad = (eMax - eMin) * 0.18 || 0.1;
  const yLo = eMin - pad * 0.3, yHi = eMax + pad;
  const L = 40, R = 8, T = 8, B = 30;
  const X = (x: number) => L + (x / dMax) * (w - L - R);
  const Y = (y: number) => T + (1 - (y - yLo) / (yHi - yLo)) * (h - T - B);

  // Axes and ticks.
  ctx.strokeStyle = theme.muted;
  ctx.fillStyle = theme.muted;
  ctx.lineWidth = 1;
  ctx.font = `10px ${font}`;
  ctx.beginPath();
  ctx.moveTo(L, T); ctx.lineTo(L, h - B); ctx.lineTo(w - R, h - B);
  ctx.stroke();
  const xt = niceTicks(0, dMax, Math.max(2, Math.floor((w - L - R) / 50)));
  ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  for (const t of xt) {
    const x = X(t);
    ctx.beginPath(); ctx.moveTo(x, h - B); ctx.lineTo(x, h - B + 3); ctx.stroke();
    ctx.fillText(tickLabel(t, xt), x, h - B + 4);
  }
  const yt = niceTicks(yLo, yHi, 4);
  ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  for (const t of yt) {
    const y = Y(t);
    ctx.beginPath(); ctx.moveTo(L - 3, y); ctx.lineTo(L, y); ctx.stroke();
    ctx.fillText(tickLabel(t, yt), L - 5, y);
  }
  ctx.textAlign = 'center'; ctx.textBaseline = 'bottom';
  ctx.fillText('Distance along path (Å)', L + (w - L - R) / 2, h - 1);
  ctx.save();
  ctx.translate(10, T + (h - T - B) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(`Energy (eV${energyMethod ? ', ' + energyMethod : ''})`, 0, 0);
  ctx.restore();

  // The profile, coloured by energy.
  ctx.lineWidth = 2.5;
  ctx.lineCap = 'round';
  const span = eMax - eMin || 1;
  for (let i = 1; i < n; i++) {
    ctx.strokeStyle = cssColourAt(((e[i - 1] + e[i]) / 2 - eMin) / span);
    ctx.beginPath(); ctx.moveTo(X(d[i - 1]), Y(e[i - 1])); ctx.lineTo(X(d[i]), Y(e[i])); ctx.stroke();
  }

  // Barrier: dashed line at the highest point, marker, label "Barrier 0.44 eV (method)".
  ctx.strokeStyle = theme.foreground;
  ctx.setLineDash([4, 3]);
  ctx.lineWidth = 1;
  ctx.beginPath(); ctx.moveTo(L, Y(eMax)); ctx.lineTo(w - R, Y(eMax)); ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = theme.foreground;
  ctx.beginPath(); ctx.arc(X(d[iMax]), Y(eMax), 3.5, 0, 2 * Math.PI); ctx.fill();
  // The full label names the path method; when it does not fit the plot width, name the energy
  // method only (the axis title and the panel text above carry the rest).
  ctx.font = `11px ${font}`;
  const labels = [`Barrier ${fmtEnergy(path.barrier)} eV (${path.method})`, `Barrier ${fmtEnergy(path.barrier)} eV (${energyMethod ?? path.method})`];
  const label = labels.find((t) => ctx.measureText(t).width <= w - L - R - 4) ?? labels[1];
  const tw = ctx.measureText(label).width;
  const lx = Math.min(Math.max(X(d[iMax]), L + tw / 2 + 2), w - R - tw / 2 - 2);
  ctx.textAlign = 'center'; ctx.textBaseline = 'bottom';
  ctx.fillText(label, lx, Y(eMax) - 4);

  canvas.setAttribute('aria-label',
    `Energy profile along the migration path: ${fmtEnergy(d[n - 1])} Å long, barrier ${fmtEnergy(path.barrier)} eV (${path.method}), highest point at ${fmtEnergy(d[iMax])} Å`);
  return { drawn: true, barrierIndex: iMax };
}
