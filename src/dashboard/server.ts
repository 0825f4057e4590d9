/**
 * `gradscope serve`: an HTTP server (fastify) that shows every run under a logdir in the
 * browser. It is read-only (GET and HEAD only), binds to loopback unless told otherwise, checks
 * the Host header against the address it is bound to (so a DNS-rebinding page cannot read it)
 * and sends a Content-Security-Policy that allows nothing outside this origin. The page and
 * its scripts are bundled at build time into dist/dashboard/ (scripts/build-web.mjs).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { DirectoryProvider, type RunProvider } from '../log/provider.js';
import { DEFAULT_HOST, DEFAULT_PORT, isLoopback } from './address.js';
import { registerApi, warmUp, type RunDiagnoser } from './api.js';

/** The bundled page, relative to this module in dist/src/dashboard/. */
export const ASSETS_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url));

/** No script, style, image or connection from anywhere but this server. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The dashboard's routes declare no JSON schemas, so fastify's default compilers (ajv,
 * fast-json-stringify) would only be loaded: ~0.3 s of a server start measured here.
 */
const noSchemaCompiler = () => () => {
  throw new Error('gradscope serve: expected routes without JSON schemas. Received: a schema');
};
const NO_SCHEMAS = { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler };

export interface ServeArgs {
  /** The directory of runs (event files, ours or another tool's). Defaults to 'runs'. */
  logdir?: string;
  /** Defaults to 6007 (TensorBoard's is 6006). 0 picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1: only this machine can connect. */
  host?: string;
  /** Reads the runs. Defaults to a DirectoryProvider over `logdir`. */
  provider?: RunProvider;
  /** Verdicts per run for the badges and the verdicts view. Defaults to none. */
  diagnose?: RunDiagnoser;
}

export interface Dashboard {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Host header values a browser sends for this server. */
function allowedHosts(host: string, port: number): Set<string> {
  const names = isLoopback(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [host];
  return new Set(names.flatMap((name) => [`${name}:${port}`, name]).map((h) => h.toLowerCase()));
}

/** Builds the server without listening: `app.inject` serves the tests. */
export async function buildDashboard(args: ServeArgs & { port: number; host: string }) {
  if (!existsSync(ASSETS_DIR)) {
    throw new Error(
      `gradscope serve: expected the bundled page in ${ASSETS_DIR}. Received: no such folder; run \`npm run build\``,
    );
  }
  const provider = args.provider ?? new DirectoryProvider(args.logdir ?? 'runs');
  const app = Fastify({ logger: false, schemaController: { compilersFactory: NO_SCHEMAS } });
  // Port 0 binds a port chosen by the system: the allowed hosts follow once it is known.
  let hosts = allowedHosts(args.host, args.port);
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return reply
        .code(405)
        .header('allow', 'GET, HEAD')
        .send({ error: 'the dashboard is read-only' });
    }
    const host = (request.headers.host ?? '').toLowerCase();
    if (!hosts.has(host)) {
      return reply.code(403).send({ error: `Host ${JSON.stringify(host)} is not this server's` });
    }
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });
  await app.register(fastifyStatic, { root: ASSETS_DIR, prefix: '/', index: 'index.html' });
  registerApi(app, provider, args.diagnose);
  void warmUp(provider);
  return { app, setPort: (port: number) => (hosts = allowedHosts(args.host, port)) };
}

/** Starts the server; rejects with a clear message when the port is taken. */
export async function startDashboard(args: ServeArgs = {}): Promise<Dashboard> {
  const host = args.host ?? DEFAULT_HOST;
  const port = args.port ?? DEFAULT_PORT;
  const { app, setPort } = await buildDashboard({ ...args, host, port });
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `gradscope serve: port ${port} on ${host} is already in use (another gradscope serve or ` +
          `TensorBoard?). Try --port ${port + 1}, or --port 0 for any free port.`,
      );
    }
    throw error;
  }
  const address = app.server.address();
  const bound = address && typeof address === 'object' ? address.port : port;
  setPort(bound);
  const shown = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shown}:${bound}/`, app, close: () => app.close() };
}
