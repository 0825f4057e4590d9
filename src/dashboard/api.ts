/**
 * The dashboard's JSON API: read-only views of what `RunProvider` returns, downsampled for the
 * browser. Runs are addressed by name in the query string and must be among the provider's
 * runs, so no request can name a path: the provider alone maps names to files.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RunProvider } from '../log/provider.js';
import type { ScalarPoint } from '../log/points.js';
import { evenIndices, lttbIndices, MAX_HISTOGRAM_STEPS, MAX_SCALAR_POINTS } from './downsample.js';
import { FLOW_QUANTITIES, flowTagsInOrder, layersOf, type FlowQuantity } from './flow.js';

/** Verdict counts and details per run, from `diagnose` (injected: the API itself knows no rules). */
export type RunDiagnoser = (provider: RunProvider, run: string) => Promise<unknown>;

/** Steps per layer in the gradient-flow view, at most. */
export const MAX_FLOW_STEPS = 400;

/** A through-time tag: `through_time/<layer>/step_<s>` (src/probe/tags.ts). */
const THROUGH_TIME = /^(through_time(?:_cell)?)\/(.+)\/step_(\d+)$/;

interface Query {
  run?: string;
  tag?: string;
  quantity?: string;
}

/** JSON has no NaN or Infinity: non-finite values travel as null and are counted. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function downsampleScalars(points: readonly ScalarPoint[], limit: number) {
  const finite = points.filter((p) => Number.isFinite(p.value));
  const keep = lttbIndices(
    finite.map((p) => ({ x: p.step, y: p.value })),
    limit,
  ).map((i) => finite[i]);
  // Non-finite points are few and are exactly what a user hunts for: keep every one.
  const nonFinite = points.filter((p) => !Number.isFinite(p.value));
  const shown = [...keep, ...nonFinite].sort((a, b) => a.step - b.step);
  return {
    total: points.length,
    nonFinite: nonFinite.length,
    downsampled: shown.length < points.length,
    points: shown.map((p) => [p.step, finiteOrNull(p.value)]),
  };
}

export function registerApi(app: FastifyInstance, provider: RunProvider, diagnose?: RunDiagnoser) {
  const knownRun = async (query: Query, reply: FastifyReply): Promise<string | null> => {
    const run = query.run;
    if (typeof run !== 'string' || !(await provider.listRuns()).includes(run)) {
      await reply.code(404).send({ error: `no run ${JSON.stringify(run ?? null)} in the logdir` });
      return null;
    }
    return run;
  };

  app.get('/api/runs', async () => {
    const runs = await provider.listRuns();
    return {
      runs: await Promise.all(
        runs.map(async (name) => {
          const tags = await provider.listTags(name);
          return { name, scalars: tags.scalars.length, histograms: tags.histograms.length };
        }),
      ),
      warnings: provider.warnings().slice(0, 50),
    };
  });

  app.get<{ Querystring: Query }>('/api/run', async (request, reply) => {
    const run = await knownRun(request.query, reply);
    if (run === null) return reply;
    const tags = await provider.listTags(run);
    const flow = flowTagsInOrder(tags);
    const throughTime = tags.scalars.flatMap((tag) => {
      const match = THROUGH_TIME.exec(tag);
      return match ? [{ tag, kind: match[1], layer: match[2], step: Number(match[3]) }] : [];
    });
    return {
      run,
      scalars: tags.scalars.filter((tag) => !THROUGH_TIME.test(tag)),
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
    return {
      run,
      tag,
      ...downsampleScalars(await provider.readScalars(run, tag), MAX_SCALAR_POINTS),
    };
  });

  app.get<{ Querystring: Query }>('/api/histograms', async (request, reply) => {
    const run = await knownRun(request.query, reply);
    if (run === null) return reply;
    const tag = String(request.query.tag ?? '');
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
    const tags = flowTagsInOrder(await provider.listTags(run)).filter(
      (f) => f.quantity === quantity,
    );
    const layers = layersOf(tags);
    const series = await Promise.all(
      layers.map(async (layer) => {
        const points = await provider.readScalars(run, tags.find((f) => f.layer === layer)!.tag);
        const keep = evenIndices(points.length, MAX_FLOW_STEPS).map((i) => points[i]);
        return {
          layer,
          total: points.length,
          points: keep.map((p) => [p.step, finiteOrNull(p.value)]),
        };
      }),
    );
    return { run, quantity, layers, series };
  });

  app.get<{ Querystring: Query }>('/api/verdicts', async (request, reply) => {
    const run = await knownRun(request.query, reply);
    if (run === null) return reply;
    if (!diagnose) return { run, verdicts: [], skipped: [], available: false };
    return { run, available: true, ...((await diagnose(provider, run)) as object) };
  });
}
