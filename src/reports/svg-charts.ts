/**
 * Small, dependency-free SVG charts for reports. Output is a pure function of the input (no
 * clock, no random ids), so a report's bytes are as reproducible as the numbers in it.
 */

export function escapeXml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3));
const coord = (x: number) => x.toFixed(1);

export interface LineSeries {
  name: string;
  values: ArrayLike<number>;
  color: string;
}

export interface LineChartOptions {
  id: string;
  title: string;
  dates: readonly string[];
  series: readonly LineSeries[];
  width?: number;
  height?: number;
  /** Fill between the first series and zero (drawdowns). */
  area?: boolean;
  format?: (x: number) => string;
}

/** A line chart over dates: NaN values break the line; y axis spans the data (and zero when an area is drawn). */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 880;
  const height = o.height ?? 240;
  const pad = { left: 56, right: 12, top: 28, bottom: 24 };
  const n = o.dates.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of o.series)
    for (let i = 0; i < s.values.length; i++)
      if (Number.isFinite(s.values[i]!)) {
        lo = Math.min(lo, s.values[i]!);
        hi = Math.max(hi, s.values[i]!);
      }
  if (o.area) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi === lo) hi = lo + 1;
  const x = (i: number) => pad.left + (n <= 1 ? 0 : (i / (n - 1)) * (width - pad.left - pad.right));
  const y = (v: number) => pad.top + ((hi - v) / (hi - lo)) * (height - pad.top - pad.bottom);
  const format = o.format ?? fmt;
  const paths = o.series.map((s, k) => {
    let d = '';
    let pen = false;
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i]!;
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${coord(x(i))},${coord(y(v))}`;
      pen = true;
    }
    const fill =
      o.area && k === 0 && d
        ? `<path d="${d}L${coord(x(s.values.length - 1))},${coord(y(0))}L${coord(x(0))},${coord(y(0))}Z" fill="${s.color}" fill-opacity="0.25" stroke="none"/>`
        : '';
    return `${fill}<path class="series" data-series="${escapeXml(s.name)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="1.2"/>`;
  });
  const ticks = [lo, (lo + hi) / 2, hi].map(
    (v) =>
      `<text x="${pad.left - 6}" y="${coord(y(v) + 4)}" text-anchor="end">${escapeXml(format(v))}</text><line x1="${pad.left}" x2="${width - pad.right}" y1="${coord(y(v))}" y2="${coord(y(v))}" stroke="#ddd"/>`,
  );
  const anchors = ['start', 'middle', 'end'];
  const dateTicks =
    n > 0
      ? [0, Math.floor((n - 1) / 2), n - 1].map(
          (i, k) =>
            `<text x="${coord(x(i))}" y="${height - 6}" text-anchor="${anchors[k]}">${escapeXml(o.dates[i]!)}</text>`,
        )
      : [];
  const legend = o.series.map(
    (s, k) => `<text x="${pad.left + 8 + k * 160}" y="18" fill="${s.color}">■ ${escapeXml(s.name)}</text>`,
  );
  return `<svg id="${escapeXml(o.id)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11"><title>${escapeXml(o.title)}</title>${ticks.join('')}${paths.join('')}${dateTicks.join('')}${legend.join('')}</svg>`;
}

export interface HeatmapOptions {
  id: string;
  title: string;
  columns: readonly string[];
  rows: readonly string[];
  /** The cell's value, or undefined for an empty cell. */
  value: (row: number, column: number) => number | undefined;
  /** The |value| at which a cell's colour is at its strongest. */
  fullAt: number;
  label: (x: number) => string;
  /** The names of the row and column axes, shown in the corner ("slow \ fast"). */
  axes?: { rows: string; columns: string };
  cellWidth?: number;
}

/** A rows x columns heatmap: green above zero, red below, the value in each cell. */
export function heatmap(o: HeatmapOptions): string {
  const cell = { w: o.cellWidth ?? 60, h: 20 };
  const left = 48;
  const top = 24;
  const width = left + o.columns.length * cell.w + 8;
  const height = top + o.rows.length * cell.h + 8;
  const parts: string[] = o.columns.map(
    (c, i) => `<text x="${left + i * cell.w + cell.w / 2}" y="16" text-anchor="middle">${escapeXml(c)}</text>`,
  );
  if (o.axes)
    parts.push(
      `<text x="${left - 6}" y="16" text-anchor="end">${escapeXml(`${o.axes.rows} \\ ${o.axes.columns}`)}</text>`,
    );
  o.rows.forEach((rowLabel, row) => {
    parts.push(`<text x="${left - 6}" y="${top + row * cell.h + 14}" text-anchor="end">${escapeXml(rowLabel)}</text>`);
    for (let c = 0; c < o.columns.length; c++) {
      const r = o.value(row, c);
      if (r === undefined || !Number.isFinite(r)) continue;
      const strength = o.fullAt > 0 ? Math.min(1, Math.abs(r) / o.fullAt) : 0;
      const color =
        r >= 0
          ? `rgb(${Math.round(255 - 155 * strength)},${Math.round(255 - 55 * strength)},${Math.round(255 - 155 * strength)})`
          : `rgb(${Math.round(255 - 25 * strength)},${Math.round(255 - 175 * strength)},${Math.round(255 - 175 * strength)})`;
      const x = left + c * cell.w;
      const y = top + row * cell.h;
      parts.push(
        `<rect class="cell" x="${x}" y="${y}" width="${cell.w - 2}" height="${cell.h - 2}" fill="${color}"/><text x="${x + cell.w / 2}" y="${y + 14}" text-anchor="middle">${o.label(r)}</text>`,
      );
    }
  });
  return `<svg id="${escapeXml(o.id)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11"><title>${escapeXml(o.title)}</title>${parts.join('')}</svg>`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A year x month heatmap of monthly returns: green up, red down, the value in each cell. */
export function monthlyHeatmap(id: string, monthly: ReadonlyMap<string, number>): string {
  const years = [...new Set([...monthly.keys()].map((k) => k.slice(0, 4)))].sort();
  return heatmap({
    id,
    title: 'Monthly returns',
    columns: MONTHS,
    rows: years,
    value: (row, m) => monthly.get(`${years[row]}-${String(m + 1).padStart(2, '0')}`),
    fullAt: 0.1,
    label: (r) => `${(r * 100).toFixed(1)}%`,
  });
}
