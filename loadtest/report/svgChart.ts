/** One line of a chart: (x, y) points in time order. */
export interface ChartSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** Dashed (e.g. the asked rate beside the achieved one). */
  readonly dashed?: boolean;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  /** Stable id, written as `data-chart` (tests and links find the chart by it). */
  readonly id: string;
  readonly title: string;
  /** Unit of the y axis, shown in the title. */
  readonly unit: string;
  readonly series: readonly ChartSeries[];
  /** Most points drawn per series (longer series are reduced to each bucket's maximum). @default 600 */
  readonly maxPoints?: number;
}

const WIDTH = 860;
const HEIGHT = 260;
const PAD = { left: 64, right: 16, top: 12, bottom: 36 } as const;
const COLOURS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
] as const;

/**
 * Escapes text for HTML and SVG.
 *
 * @param text - any text
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A round axis maximum ≥ v: 1, 2 or 5 × 10ⁿ. */
function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Short number label: 12k, 1.5M, 0.25. */
export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return String(Math.round(v));
  return String(+v.toFixed(2));
}

/** Reduces a series to at most `max` points, keeping each bucket's maximum (peaks stay visible). */
function downsample(
  points: readonly (readonly [number, number])[],
  max: number,
): (readonly [number, number])[] {
  if (points.length <= max) return [...points];
  const size = Math.ceil(points.length / max);
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += size) {
    let best = points[i]!;
    for (let j = i + 1; j < Math.min(i + size, points.length); j++)
      if (points[j]![1] > best[1]) best = points[j]!;
    out.push([best[0], best[1]]);
  }
  return out;
}

/**
 * An inline SVG line chart (no script, no library): x is seconds since the run's start, y from 0 to a
 * round maximum, one path per series (class `series`, `data-series` its name) and a legend. A chart
 * with no point says so in its body instead of drawing an empty frame.
 *
 * @param options - id, title, unit and the series
 * @returns a `<figure>` element
 */
export function lineChart(options: LineChartOptions): string {
  const series = options.series
    .map((s) => ({
      ...s,
      points: downsample(
        s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)),
        options.maxPoints ?? 600,
      ),
    }))
    .filter((s) => s.points.length > 0);
  const caption = `<figcaption>${escapeHtml(options.title)} <span class="unit">(${escapeHtml(options.unit)})</span></figcaption>`;
  if (series.length === 0) {
    return `<figure class="chart empty" data-chart="${escapeHtml(options.id)}">${caption}<p class="nodata">no data recorded</p></figure>`;
  }
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const yMax = niceCeil(Math.max(...series.flatMap((s) => s.points.map((p) => p[1]))));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const sx = (x: number): number => PAD.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number): number => PAD.top + plotH - (y / yMax) * plotH;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}"/>`,
      `<text class="tick" x="${PAD.left - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${formatNumber(y)}</text>`,
    );
  }
  for (let i = 0; i <= 5; i++) {
    const x = x0 + ((x1 - x0) * i) / 5;
    parts.push(
      `<text class="tick" x="${sx(x).toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${formatNumber(x)} s</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}"/>`,
    `<line class="axis" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}"/>`,
  );
  const legend: string[] = [];
  for (const [i, s] of series.entries()) {
    const colour = COLOURS[i % COLOURS.length]!;
    const d = s.points
      .map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join('');
    // A single point still shows: a short horizontal stroke.
    const path = s.points.length === 1 ? `${d}h2` : d;
    parts.push(
      `<path class="series" data-series="${escapeHtml(s.name)}" d="${path}" stroke="${colour}"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    legend.push(`<span class="key"><i style="background:${colour}"></i>${escapeHtml(s.name)}</span>`);
  }
  const svg = `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(options.title)}">${parts.join('')}</svg>`;
  return `<figure class="chart" data-chart="${escapeHtml(options.id)}">${caption}${svg}<div class="legend">${legend.join('')}</div></figure>`;
}
