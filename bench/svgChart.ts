/**
 * Line charts as plain SVG text (no browser, no dependency): log-scaled axes that also show 0
 * (positions are log10(1 + value)), one line and legend entry per series.
 */
export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Log-scale the axis (default true for both). */
  xLog?: boolean;
  yLog?: boolean;
}

const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { left: 70, right: 190, top: 40, bottom: 56 };
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const label = (value: number) => (value >= 1000 ? value.toLocaleString("en") : Number(value.toPrecision(3)).toString());

/** Tick values: 0 and the powers of ten (with 2 and 5 between them when the range is short) up to `max`. */
function ticks(max: number, log: boolean): number[] {
  if (!log) {
    const step = 10 ** Math.floor(Math.log10(Math.max(max, 1e-9))) / (max / 10 ** Math.floor(Math.log10(Math.max(max, 1e-9))) < 3 ? 2 : 1);
    return Array.from({ length: Math.floor(max / step) + 1 }, (_, index) => index * step);
  }
  const decades = Math.ceil(Math.log10(max + 1));
  const values = [0];
  for (let power = 0; power <= decades; power += 1) {
    for (const factor of decades <= 2 ? [1, 2, 5] : [1]) {
      const value = factor * 10 ** power;
      if (value <= max * 1.05) values.push(value);
    }
  }
  return values;
}

export function lineChart(options: ChartOptions): string {
  const xLog = options.xLog ?? true;
  const yLog = options.yLog ?? true;
  const all = options.series.flatMap((series) => series.points);
  const xMax = Math.max(...all.map(([x]) => x), 1);
  const yMax = Math.max(...all.map(([, y]) => y), 1e-9);
  const scale = (log: boolean, value: number, max: number) => (log ? Math.log10(1 + value) / Math.log10(1 + max) : value / max);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + scale(xLog, x, xMax) * plotWidth;
  const py = (y: number) => MARGIN.top + plotHeight - scale(yLog, y, yMax) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="14" font-weight="bold">${escape(options.title)}</text>`,
  ];
  for (const tick of ticks(xMax, xLog)) {
    parts.push(
      `<line x1="${px(tick).toFixed(1)}" y1="${MARGIN.top}" x2="${px(tick).toFixed(1)}" y2="${MARGIN.top + plotHeight}" stroke="#eeeeee"/>`,
    );
    parts.push(`<text x="${px(tick).toFixed(1)}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle">${label(tick)}</text>`);
  }
  for (const tick of ticks(yMax, yLog)) {
    parts.push(
      `<line x1="${MARGIN.left}" y1="${py(tick).toFixed(1)}" x2="${MARGIN.left + plotWidth}" y2="${py(tick).toFixed(1)}" stroke="#eeeeee"/>`,
    );
    parts.push(`<text x="${MARGIN.left - 6}" y="${(py(tick) + 4).toFixed(1)}" text-anchor="end">${label(tick)}</text>`);
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999999"/>`);
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escape(options.xLabel)}${xLog ? " (log scale)" : ""}</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}${yLog ? " (log scale)" : ""}</text>`,
  );
  options.series.forEach((series, index) => {
    const color = COLORS[index % COLORS.length];
    const path = series.points.map(([x, y], point) => `${point === 0 ? "M" : "L"}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [x, y] of series.points) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"/>`);
    const legendY = MARGIN.top + 10 + index * 20;
    parts.push(
      `<line x1="${WIDTH - MARGIN.right + 14}" y1="${legendY}" x2="${WIDTH - MARGIN.right + 38}" y2="${legendY}" stroke="${color}" stroke-width="2"/>`,
    );
    parts.push(`<text x="${WIDTH - MARGIN.right + 44}" y="${legendY + 4}">${escape(series.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
