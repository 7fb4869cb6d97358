/**
 * A publication figure from the 3D view: the high-resolution render with the legend (element swatches),
 * a caption (formula, "Ea(BVSE, 1D) 0.39 eV", isosurface level) and, when the path is shown, the
 * energy colour bar of the path tube (viridis, eV, method named), all drawn at the same pixel scale so
 * text stays sharp at 2× and 4×.
 */
import { cssColourAt } from './colormap';
import { niceTicks, tickLabel } from './format';
import type { ThemeColours } from './theme';

export interface FigureLegendEntry { colour: string; text: string; halo?: boolean }

export interface FigureSpec {
  /** The rendered 3D view (already at `scale` × the CSS size). */
  view: HTMLCanvasElement;
  scale: number;
  legend: FigureLegendEntry[];
  /** Lines under the legend (e.g. "Yellow halo: mobile ion."). */
  notes: string[];
  caption: string[];
  colourBar: { min: number; max: number; label: string } | null;
  theme: ThemeColours;
  font: string;
}

export interface FigureLayout { width: number; height: number; legendBox: [number, number, number, number]; colourBarBox: [number, number, number, number] | null }

/** Draw the figure; returns the canvas and where its parts are (for tests). */
export function composeFigure(f: FigureSpec): { canvas: HTMLCanvasElement; layout: FigureLayout } {
  const s = f.scale;
  const canvas = document.createElement('canvas');
  canvas.width = f.view.width;
  canvas.height = f.view.height;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = f.theme.background;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(f.view, 0, 0);

  const pad = 10 * s;
  const panel = (x: number, y: number, w: number, h: number) => {
    ctx.save();
    ctx.globalAlpha = 0.82;
    ctx.fillStyle = f.theme.background;
    ctx.fillRect(x, y, w, h);
    ctx.restore();
  };

  // Legend, top left.
  const line = 16 * s;
  ctx.font = `${12 * s}px ${f.font}`;
  ctx.textBaseline = 'middle';
  const legendW = Math.max(60 * s, ...f.legend.map((e) => ctx.measureText(e.text).width + 22 * s), ...f.notes.map((t) => ctx.measureText(t).width)) + 2 * pad;
  const legendH = (f.legend.length + f.notes.length) * line + 2 * pad;
  panel(pad / 2, pad / 2, legendW, legendH);
  f.legend.forEach((e, i) => {
    const y = pad / 2 + pad + i * line + line / 2;
    const x = pad / 2 + pad;
    if (e.halo) {
      ctx.fillStyle = 'rgba(255, 213, 74, 0.6)';
      ctx.beginPath(); ctx.arc(x + 6 * s, y, 7.5 * s, 0, 2 * Math.PI); ctx.fill();
    }
    ctx.fillStyle = e.colour;
    ctx.beginPath(); ctx.arc(x + 6 * s, y, 5 * s, 0, 2 * Math.PI); ctx.fill();
    ctx.fillStyle = f.theme.foreground;
    ctx.fillText(e.text, x + 18 * s, y);
  });
  ctx.font = `${11 * s}px ${f.font}`;
  f.notes.forEach((t, i) => {
    ctx.fillStyle = f.theme.muted;
    ctx.fillText(t, pad / 2 + pad, pad / 2 + pad + (f.legend.length + i) * line + line / 2);
  });

  // Caption, bottom left.
  if (f.caption.length) {
    ctx.font = `${12 * s}px ${f.font}`;
    const w = Math.max(...f.caption.map((t) => ctx.measureText(t).width)) + 2 * pad;
    const h = f.caption.length * line + pad;
    panel(pad / 2, canvas.height - h - pad / 2, w, h);
    ctx.fillStyle = f.theme.foreground;
    f.caption.forEach((t, i) => ctx.fillText(t, pad / 2 + pad, canvas.height - h - pad / 2 + pad / 2 + i * line + line / 2));
  }

  // Energy colour bar, right edge: viridis from min (bottom) to max (top), ticks in eV.
  let colourBarBox: FigureLayout['colourBarBox'] = null;
  if (f.colourBar && f.colourBar.max > f.colourBar.min) {
    const { min, max, label } = f.colourBar;
    const barW = 14 * s, barH = Math.min(canvas.height * 0.45, 220 * s);
    ctx.font = `${11 * s}px ${f.font}`;
    const ticks = niceTicks(min, max, 4).filter((t) => t >= min - 1e-9 && t <= max + 1e-9);
    const tickW = Math.max(...ticks.map((t) => ctx.measureText(tickLabel(t, ticks)).width));
    const boxW = barW + 6 * s + tickW + 2 * pad + 14 * s;
    const x0 = canvas.width - boxW - pad / 2, y0 = canvas.height - barH - 2 * pad - pad / 2;
    panel(x0, y0, boxW, barH + 2 * pad);
    const bx = x0 + pad + 14 * s, by = y0 + pad;
    for (let i = 0; i < barH; i++) {
      ctx.fillStyle = cssColourAt(1 - i / (barH - 1));
      ctx.fillRect(bx, by + i, barW, 1.5);
    }
    ctx.strokeStyle = f.theme.muted;
    ctx.lineWidth = Math.max(1, s);
    ctx.strokeRect(bx, by, barW, barH);
    ctx.fillStyle = f.theme.foreground;
    ctx.textAlign = 'left';
    for (const t of ticks) {
      const y = by + (1 - (t - min) / (max - min)) * barH;
      ctx.beginPath(); ctx.moveTo(bx + barW, y); ctx.lineTo(bx + barW + 4 * s, y); ctx.stroke();
      ctx.fillText(tickLabel(t, ticks), bx + barW + 6 * s, y);
    }
    // Axis title, rotated, left of the bar.
    ctx.save();
    ctx.translate(x0 + pad / 2 + 6 * s, by + barH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText(label, 0, 0);
    ctx.restore();
    colourBarBox = [x0, y0, boxW, barH + 2 * pad];
  }
  return { canvas, layout: { width: canvas.width, height: canvas.height, legendBox: [pad / 2, pad / 2, legendW, legendH], colourBarBox } };
}
