import { escapeXml } from './svg-charts.js';

export interface Bar {
  label: string;
  value: number;
  /** Drawn in the warning colour (a breach). */
  flagged?: boolean;
}

/** A horizontal bar chart on a 0..max scale, one row per bar in the given order, the value at the bar's end. */
export function horizontalBarChart(o: {
  id: string;
  title: string;
  bars: readonly Bar[];
  max: number;
  format: (x: number) => string;
  width?: number;
}): string {
  const width = o.width ?? 880;
  const row = 18;
  const pad = { left: 160, right: 70, top: 28, bottom: 8 };
  const height = pad.top + pad.bottom + row * Math.max(1, o.bars.length);
  const span = width - pad.left - pad.right;
  const rows = o.bars.map((b, i) => {
    const y = pad.top + i * row;
    const w = Math.max(0, Math.min(1, o.max > 0 ? b.value / o.max : 0)) * span;
    const color = b.flagged ? '#c0392b' : '#2e86c1';
    return `<g class="bar" data-label="${escapeXml(b.label)}" data-value="${b.value}"><text x="${pad.left - 6}" y="${y + 13}" text-anchor="end">${escapeXml(b.label)}</text><rect x="${pad.left}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 6}" fill="${color}"/><text x="${(pad.left + w + 4).toFixed(1)}" y="${y + 13}" fill="${b.flagged ? color : '#000'}">${escapeXml(o.format(b.value))}</text></g>`;
  });
  return `<svg id="${escapeXml(o.id)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11"><title>${escapeXml(o.title)}</title><text x="${pad.left}" y="18" font-weight="bold">${escapeXml(o.title)}</text>${rows.join('')}</svg>`;
}
