// Small trend charts (uPlot) of the API's timeseries.
import uPlot from "uplot";
import { getJson } from "./api";
import { h } from "./dom";

export interface Timeseries {
  department: string;
  partner: string | null;
  metric: string;
  bucket: string;
  points: { from: string; to: string; value: number | null; count: number }[];
}

/// A sparkline of one metric: the chart, and its last values as text for readers who cannot see it.
export async function trendChart(path: string, options: { width?: number; height?: number; label: string; format: (value: number | null) => string }): Promise<HTMLElement> {
  const series = await getJson<Timeseries>(path);
  const figure = h("figure", { class: "trend" });
  const points = series.points;
  const summary = points.length === 0 ? "no data yet" : points.slice(-4).map((point) => `${point.from}: ${options.format(point.value)}`).join(", ");
  figure.append(h("figcaption", { class: "visually-hidden" }, `${options.label} by ${series.bucket}: ${summary}`));
  if (points.length < 2) {
    figure.append(h("span", { class: "muted" }, points.length === 0 ? "no trend yet" : "one period"));
    return figure;
  }
  const xs = points.map((point) => Date.parse(point.from + "T00:00:00Z") / 1000);
  const ys = points.map((point) => point.value);
  const holder = h("div", { class: "chart", "aria-hidden": "true" });
  figure.append(holder);
  new uPlot({
    width: options.width ?? 160,
    height: options.height ?? 40,
    legend: { show: false },
    cursor: { show: false },
    axes: [{ show: false }, { show: false }],
    scales: { x: { time: true } },
    series: [{}, { stroke: "#33669a", width: 1.5, points: { show: false }, spanGaps: true }],
  }, [xs, ys], holder);
  return figure;
}
