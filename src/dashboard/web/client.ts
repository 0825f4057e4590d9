/** Fetching the dashboard API (src/dashboard/api.ts) from the page. */

export interface RunSummary {
  name: string;
  /** Changes whenever the run's records change (RunProvider.version); absent while loading. */
  version?: string;
  /** Whether the run has gradient-flow tags; absent while loading. */
  flow?: boolean;
  /** While the server reads the run for the first time: how far it has got. */
  loading?: { bytesRead: number; bytes: number };
}

export interface ThroughTimeTag {
  tag: string;
  kind: string;
  layer: string;
  step: number;
}

export interface RunInfo {
  run: string;
  version: string;
  scalars: string[];
  histograms: string[];
  layers: string[];
  quantities: string[];
  throughTime: ThroughTimeTag[];
}

export interface ScalarSeries {
  run: string;
  tag: string;
  total: number;
  nonFinite: number;
  downsampled: boolean;
  points: [number, number | null][];
}

export interface Bucket {
  left: number;
  right: number;
  count: number;
}

export interface HistogramSeries {
  run: string;
  tag: string;
  total: number;
  downsampled: boolean;
  points: { step: number; buckets: Bucket[] }[];
}

export interface FlowSeries {
  run: string;
  quantity: string;
  layers: string[];
  series: { layer: string; total: number; points: [number, number | null][] }[];
}

export interface Verdict {
  check: string;
  severity: 'error' | 'warning' | 'info';
  layer: string | null;
  firstStep: number | null;
  lastStep: number | null;
  evidence: Record<string, number | string>;
  message: string;
  remedy: string;
}

export interface VerdictList {
  run: string;
  available: boolean;
  /** The run's version the verdicts were computed for (absent when not available). */
  version?: string;
  verdicts: Verdict[];
  skipped: { check: string; reason: string }[];
}

/** Per run whose verdicts are computed, its verdict checks by severity. */
export interface BadgeList {
  available: boolean;
  badges: Record<string, Partial<Record<Verdict['severity'], string[]>>>;
  /** Runs still being diagnosed. */
  pending: number;
}

async function get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(query ? `${path}?${query}` : path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export const api = {
  runs: () => get<{ runs: RunSummary[] }>('/api/runs'),
  run: (run: string) => get<RunInfo>('/api/run', { run }),
  scalars: (run: string, tag: string) => get<ScalarSeries>('/api/scalars', { run, tag }),
  histograms: (run: string, tag: string) => get<HistogramSeries>('/api/histograms', { run, tag }),
  flow: (run: string, quantity: string) => get<FlowSeries>('/api/flow', { run, quantity }),
  verdicts: (run: string) => get<VerdictList>('/api/verdicts', { run }),
  badges: () => get<BadgeList>('/api/badges'),
};
