// docker-compose.gpu.yml: validated by a Compose client (`docker compose config`, or Debian's
// `docker-compose config`) when one is installed, and checked against what the agent reads: every
// variable of the agent's zod schema (agent/src/config.ts) is set, and the resolved values pass it.
// There is no Docker engine here: nothing is built or started.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as config from '../src/config.ts';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const composeFile = join(repo, 'docker-compose.gpu.yml');
const composeText = readFileSync(composeFile, 'utf8');
const dockerfile = readFileSync(join(repo, 'agent', 'Dockerfile'), 'utf8');

interface ZodObjectLike {
  shape: Record<string, unknown>;
  safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
}

/** The agent's environment schema, whatever its export is called: the zod object that has EDGE_URL. */
const schema = (Object.values(config) as unknown[]).find(
  (v): v is ZodObjectLike =>
    typeof v === 'object' && v !== null && 'shape' in v && 'safeParse' in v && 'EDGE_URL' in (v as ZodObjectLike).shape,
);
const agentVars = Object.keys(schema?.shape ?? {});

/** A Compose client: the v2 plugin, else Debian's docker-compose (v1); null when neither runs. */
function findCompose(): { cmd: string; args: string[]; json: boolean } | null {
  const tries = [
    { cmd: 'docker', args: ['compose'], json: true },
    { cmd: 'docker-compose', args: [], json: false },
  ];
  for (const t of tries) {
    try {
      execFileSync(t.cmd, [...t.args, 'version'], { stdio: 'ignore', timeout: 20_000 });
      return t;
    } catch {
      // not installed or not working: try the next one
    }
  }
  return null;
}
const compose = findCompose();
const NO_COMPOSE =
  'no Compose client (neither `docker compose` nor `docker-compose`): install Debian\'s docker-compose ' +
  '(apt-get install -y docker-compose) to validate docker-compose.gpu.yml';
if (!compose) console.warn(`compose.test.ts: skipping the Compose validation: ${NO_COMPOSE}`);

const REQUIRED = { EDGE_URL: 'https://edge.example.com', AGENT_TOKEN: 'agent-token-for-compose-test-0123' };

/** `config` of the file with a minimal environment (so the shell's variables do not leak in). */
async function composeConfig(extraEnv: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...extraEnv };
  return run(compose!.cmd, [...compose!.args, '-f', composeFile, 'config', ...(compose!.json ? ['--format', 'json'] : [])], {
    env,
    cwd: repo,
    timeout: 60_000,
    maxBuffer: 16 << 20,
  });
}

/** The resolved configuration as an object (v1 prints YAML: read with the PyYAML it depends on). */
let resolving: Promise<any> | null = null;
function resolved(): Promise<any> {
  resolving ??= resolveOnce();
  return resolving;
}
async function resolveOnce(): Promise<any> {
  const { stdout } = await composeConfig(REQUIRED);
  if (compose!.json) return JSON.parse(stdout);
  const py = 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))';
  const child = execFile('python3', ['-c', py], { maxBuffer: 16 << 20 });
  const out = new Promise<string>((ok, fail) => {
    let text = '';
    child.stdout!.on('data', (d) => (text += d));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok(text) : fail(new Error(`python3 yaml → json exited ${code}`))));
  });
  child.stdin!.end(stdout);
  return JSON.parse(await out);
}

/** Keys of the agent service's `environment:` mapping, read from the file's text (no client needed). */
function agentEnvKeysFromText(): string[] {
  const lines = composeText.split('\n');
  const agent = lines.findIndex((l) => /^ {2}agent:\s*$/.test(l));
  const envAt = lines.findIndex((l, i) => i > agent && /^ {4}environment:\s*$/.test(l));
  const keys: string[] = [];
  for (const line of lines.slice(envAt + 1)) {
    if (/^\s*(#|$)/.test(line)) continue;
    const m = /^ {6}([A-Z0-9_]+):/.exec(line);
    if (!m) break;
    keys.push(m[1]);
  }
  return keys;
}

describe('docker-compose.gpu.yml', () => {
  it('finds the agent environment schema in agent/src/config.ts', () => {
    expect(schema, 'a zod object with EDGE_URL exported by agent/src/config.ts').toBeDefined();
    for (const v of ['EDGE_URL', 'AGENT_TOKEN', 'REDIS_URL', 'AGENT_WORK_DIR', 'CONVERTER_COMMAND', 'AGENT_HTTP_PORT']) {
      expect(agentVars).toContain(v);
    }
  });

  it('sets every variable the agent reads (text of the file)', () => {
    const keys = agentEnvKeysFromText();
    expect(keys.length).toBeGreaterThan(0);
    expect(agentVars.filter((v) => !keys.includes(v)), 'variables missing from services.agent.environment').toEqual([]);
    expect(keys.filter((k) => !agentVars.includes(k)), 'variables the agent does not read').toEqual([]);
  });

  it.skipIf(!compose)('is valid for Compose, and refuses to start without EDGE_URL and AGENT_TOKEN', async () => {
    const bad = await composeConfig({}).then(
      () => null,
      (err: { stderr?: string; stdout?: string }) => `${err.stderr ?? ''}${err.stdout ?? ''}`,
    );
    expect(bad, 'config without EDGE_URL must fail').not.toBeNull();
    expect(bad).toMatch(/EDGE_URL|AGENT_TOKEN/);
    await expect(composeConfig(REQUIRED)).resolves.toBeDefined();
  });

  it.skipIf(!compose)('resolves to an environment the agent accepts, with every variable set', async () => {
    const cfg = await resolved();
    const env: Record<string, string> = cfg.services.agent.environment;
    expect(agentVars.filter((v) => env[v] === undefined || env[v] === null || String(env[v]) === '')).toEqual([]);
    const parsed = schema!.safeParse(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])));
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.success).toBe(true);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    // The work dir is a volume, and the converter command is the image's converter.
    expect(JSON.stringify(cfg.services.agent.volumes)).toContain(env.AGENT_WORK_DIR);
    expect(dockerfile).toContain(String(env.CONVERTER_COMMAND).split(' ')[0].replace(/\/bin\/python$/, ''));
  });

  it.skipIf(!compose)('runs Redis as BullMQ needs it, health-checked, with restart policies and the T4 reserved', async () => {
    const cfg = await resolved();
    const redis = cfg.services.redis;
    const cmd = [].concat(redis.command).join(' ');
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
    expect(JSON.stringify(redis.volumes)).toContain('/data');
    expect(redis.healthcheck.test.join(' ')).toContain('ping');
    const agent = cfg.services.agent;
    expect(agent.depends_on.redis.condition).toBe('service_healthy');
    expect(agent.healthcheck.test.join(' ')).toContain('/healthz');
    for (const s of [redis, agent]) expect(s.restart).toBe('unless-stopped');
    const device = agent.deploy.resources.reservations.devices[0];
    expect(device.driver).toBe('nvidia');
    expect(device.capabilities).toContain('gpu');
    expect(agent.build.dockerfile).toBe('agent/Dockerfile');
    expect(Object.keys(cfg.volumes).sort()).toEqual(['agent-work', 'redis-data']);
  });

  it('has a health check command that passes on 200 and fails on 503', async () => {
    const test = /test: \["CMD-SHELL", (".*")\]\s*$/m.exec(composeText.split('  agent:')[1]);
    expect(test).not.toBeNull();
    const shellCmd = JSON.parse(test![1]) as string;
    let status = 200;
    const server = createServer((req, res) => res.writeHead(req.url === '/healthz' ? status : 404).end('{}'));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = String((server.address() as AddressInfo).port);
    // The image's `node` is this test's node: put it first on PATH.
    const env = { ...process.env, AGENT_HTTP_PORT: port, PATH: `${resolve(process.execPath, '..')}:${process.env.PATH}` };
    try {
      await expect(run('sh', ['-c', shellCmd], { env, timeout: 20_000 })).resolves.toBeDefined();
      status = 503;
      await expect(run('sh', ['-c', shellCmd], { env, timeout: 20_000 })).rejects.toMatchObject({ code: 1 });
    } finally {
      server.close();
    }
  });

  it('builds the agent from a CUDA image with Python 3.11, the project\'s Node and no dev dependencies', () => {
    const rootPkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    expect(dockerfile).toMatch(/^ARG CUDA_IMAGE=nvidia\/cuda:12\.[0-9.]+-cudnn-runtime-ubuntu22\.04$/m);
    expect(dockerfile).toContain(`ARG NODE_IMAGE=node:${rootPkg.devDependencies?.node}-`);
    expect(dockerfile).toMatch(/python3\.11 -m venv \/opt\/converter/);
    expect(dockerfile).toMatch(/npm ci --omit=dev --workspace agent/);
    expect(dockerfile).toMatch(/^FROM converter AS agent$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "agent\/src\/main\.ts"\]$/m);
    // Every workspace manifest the lockfile names is copied before npm ci.
    const rootWs = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
    for (const ws of rootWs) expect(dockerfile).toContain(`COPY ${ws}/package.json ${ws}/`);
  });
});
