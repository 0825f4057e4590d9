/**
 * The dashboard's JSON API: read-only views of what `RunProvider` returns, downsampled for the
 * browser. Runs are addressed by name in the query string and must be among the provider's
 * runs, so no request can name a path: the provider alone maps names to files.
 *
 * Every run carries its version (`RunProvider.version`): the page refetches only the runs whose
 * version changed, and the server keeps each downsampled series per (run, tag) until the run's
 * version changes, so polling an unchanged run, or a run that grows, redoes nothing twice.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ScalarColumns } from '../log/points.js';
import type { RunProvider } from '../log/provider.js';
import { VersionedCache } from './cache.js';
import { evenIndices, lttbIndices, MAX_HISTOGRAM_STEPS, MAX_SCALAR_POINTS } from './downsample.js';
import { FLOW_QUANTITIES, flowTagsInOrder, layersOf, type FlowQuantity } from './flow.js';
import { VerdictCache, type RunDiagnoser } from './verdicts.js';
import { parseThroughTimeTag } from '../probe/tags.js';

export type { RunDiagnoser } from './verdicts.js';

/** Steps per layer in the gradient-flow view, at most. */
export const MAX_FLOW_STEPS = 400;
/**
 * Cells of a gradient-flow heatmap, at most: a model of 50 layers gets 80 steps per layer (five
 * pixels each in a chart 420 wide). Measured in chromium here: 49 × 80 cells draw in ~0.4 s,
 * 49 × 160 in ~1.8 s.
 */
export const MAX_FLOW_CELLS = 4000;

interface Query {
  run?: string;
  tag?: string;
  quantity?: string;
}

/** JSON has no NaN or Infinity: non-finite values travel as null and are counted. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function downsampleScalars({ steps, values }: ScalarColumns, limit: number) {
  const finite: number[] = [];
  const nonFinite: number[] = [];
  for (let i = 0; i < values.length; i++) (Number.isFinite(values[i]) ? finite : nonFinite).push(i);
  const keep =
    nonFinite.length === 0
      ? lttbIndices(steps, values, limit)
      : lttbIndices(
          finite.map((i) => steps[i]),
          finite.map((i) => values[i]),
          limit,
        ).map((k) => finite[k]);
  // Non-finite points are few and are exactly what a user hunts for: keep every one.
  const shown = nonFinite.length === 0 ? keep : [...keep, ...nonFinite];
  if (nonFinite.length > 0) shown.sort((a, b) => steps[a] - steps[b]);
  return {
    total: values.length,
    nonFinite: nonFinite.length,
    downsampled: shown.length < values.length,
    points: shown.map((i) => [steps[i], finiteOrNull(values[i])]),
  };
}

/**
 * Reads every run once, in the background, as soon as the server starts (as TensorBoard loads
 * its logdir): by the time a browser asks, the index is built or under way. Errors are left to
 * the requests that meet them.
 */
export async function warmUp(provider: RunProvider): Promise<void> {
  let runs: string[];
  try {
    runs = await provider.listRuns();
  } catch {
    return; // an unreadable logdir: /api/runs reports it when asked
  }
  // One run at a time: a logdir of thousands of runs must not open thousands of files at once.
  for (const run of runs) {
    try {
      await provider.listTags(run);
    } catch {
      // A run removed meanwhile, or an unreadable one: the requests that meet it report it.
    }
  }
}

export function registerApi(app: FastifyInstance, provider: RunProvider, diagnose?: RunDiagnoser) {
  const derived = new VersionedCache<object>();
  const verdicts = diagnose && new VerdictCache(provider, diagnose);

  const knownRun = async (query: Query, reply: FastifyReply): Promise<string | null> => {
    const run = query.run;
    if (typeof run !== 'string' || !(await provider.listRuns()).includes(run)) {
      await reply.code(404).send({ error: `no run ${JSON.stringify(run ?? null)} in the logdir` });
      return null;
    }
    return run;
  };

  /** `compute`'s answer for the run at its current version, computed once per version. */
  const cached = async (run: string, what: string, compute: () => Promise<object>) =>
    derived.get(`${what}\n${run}`, await provider.version(run), compute);

  app.get('/api/runs', async () => {
    const runs = await provider.listRuns();
    return {
      // Names, versions and whether a run has gradient flow: a poll of a logdir of many runs
      // refreshes each run once. A run still being read for the first time is listed with its
      // progress and never waited for: the page shows it reading.
      runs: await Promise.all(
        runs.map(async (name) => {
          const loading = provider.loading?.(name);
          if (loading) return { name, loading };
          const version = await provider.version(name);
          const summary = await derived.get(`summary\n${name}`, version, async () => ({
            flow: flowTagsInOrder(await provider.listTags(name)).length > 0,
          }));
          return { name, version, ...summary };
        }),
      ),
      warnings: provider.warnings().slice(0, 50),
    };
  });

  app.get<{ Querystring: Query }>('/api/run', async (request, reply) => {
    const run = await knownRun(request.query, reply);
    if (run === null) return reply;
    const version = await provider.version(run);
    const tags = await provider.listTags(run);
    const flow = flowTagsInOrder(tags);
    // Through-time profiles (`through_time/<layer>/step_<s>`, src/probe/tags.ts) have a view
    // of their own, not a scalar chart each.
    const throughTime = tags.scalars.flatMap((tag) => {
      const parsed = parseThroughTimeTag(tag);
      if (parsed === undefined) return [];
      const kind = parsed.state === 'cell' ? 'through_time_cell' : 'through_time';
      return [{ tag, kind, layer: parsed.layer ?? 'through time', step: parsed.trainingStep }];
    });
    return {
      run,
      version,
      scalars: tags.scalars.filter((tag) => parseThroughTimeTag(tag) === undefined),
      histograms: tags.histograms,
      layers: layersOf(flow),
      quantities: FLOW_QUANTITIES.filter((q) => flow.some((f) => f.quantity === q)),
      throughTime,
    };
  });

  app.get<{ Querystring: Query }>('/api/scalars', async (request, reply) => {
    const run = await knownRun(request.query, reply);
    if (run === null) return reply;
    const tag = String(request.query.tag ?? '');
    return cached(run, `scalars\n${tag}`, async () => ({
      run,
      tag,
      ...downsampleScalars(await provider.readScalarColumns(run, tag), MAX_SCALAR_POINTS),
    }));
  });

  app.get<{ Querystring: Query }>('/api/histograms', async (request, reply) => {
    const run = await knownRun(request.query, reply);
    if (run === null) return reply;
    const tag = String(request.query.tag ?? '');
    return cached(run, `histograms\n${tag}`, async () => {
      const points = await provider.readHistograms(run, tag);
      const shown = evenIndices(points.length, MAX_HISTOGRAM_STEPS).map((i) => points[i]);
      return {
        run,
        tag,
        total: points.length,
        downsampled: shown.length < points.length,
        points: shown.map((p) => ({ step: p.step, buckets: p.buckets })),
      };
    });
  });

  app.get<{ Querystring: Query }>('/api/flow', async (request, reply) => {
    const run = await knownRun(request.query, reply);
    if (run === null) return reply;
    const quantity = (request.query.quantity ?? 'grad_norm') as FlowQuantity;
    if (!FLOW_QUANTITIES.includes(quantity)) {
      const expected = FLOW_QUANTITIES.join(', ');
      return reply
        .code(400)
        .send({ error: `quantity must be one of ${expected}. Received: ${quantity}` });
    }
    return cached(run, `flow\n${quantity}`, async () => {
      const tags = flowTagsInOrder(await provider.listTags(run)).filter(
        (f) => f.quantity === quantity,
      );
      const layers = layersOf(tags);
      const limit = Math.min(
        MAX_FLOW_STEPS,
        Math.floor(MAX_FLOW_CELLS / Math.max(1, layers.length)),
      );
      const series = await Promise.all(
        layers.map(async (layer) => {
          const tag = tags.find((f) => f.layer === layer)!.tag;
          const { steps, values } = await provider.readScalarColumns(run, tag);
          return {
            layer,
            total: steps.length,
            points: evenIndices(steps.length, limit).map((i) => [
              steps[i],
              finiteOrNull(values[i]),
            ]),
          };
        }),
      );
      return { run, quantity, layers, series };
    });
  });

  app.get<{ Querystring: Query }>('/api/verdicts', async (request, reply) => {
    const run = await knownRun(request.query, reply);
    if (run === null) return reply;
    if (!verdicts) return { run, verdicts: [], skipped: [], available: false };
    return { run, available: true, ...(await verdicts.get(run)) };
  });

  app.get('/api/badges', async () => {
    if (!verdicts) return { available: false, badges: {}, pending: 0 };
    return { available: true, ...(await verdicts.badges(await provider.listRuns())) };
  });
}
