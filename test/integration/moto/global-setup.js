// Starts one moto_server for the whole integration run, on a free loopback port.
// Workers find it through process.env (jest spawns them after global setup, with this env).
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const READY_TIMEOUT_MS = 20_000;
const PYTHON = process.env.SG_REVOKE_MOTO_PYTHON || 'python3';

/** Distinct free loopback ports: all are held open together, so no two servers get the same one. */
async function freePorts(count) {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const server = net.createServer();
          server.on('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function answers(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(1_000, () => req.destroy());
  });
}

function loud(lines) {
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${bar}\n\n`);
}

async function start(port, logFile) {
  const log = fs.openSync(logFile, 'a');
  // Own process group, so teardown can end moto and any child it forks with one signal.
  const child = spawn(PYTHON, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !exited) {
    if (await answers(`${endpoint}/moto-api/`)) return { child, endpoint };
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!exited) process.kill(-child.pid, 'SIGKILL');
  return null;
}

async function startWithRetries(port, logFile) {
  // A port taken between probe and bind makes moto exit: try a fresh port.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const server = await start(attempt === 1 ? port : (await freePorts(1))[0], logFile);
    if (server) return server;
  }
  throw new Error(`moto_server did not answer within ${READY_TIMEOUT_MS / 1000}s; see ${logFile}`);
}

module.exports = async function globalSetup(globalConfig) {
  delete process.env.SG_REVOKE_MOTO_ABSENT;
  if (process.env.SG_REVOKE_MOTO_EXTERNAL) {
    // Servers the developer runs (comma-separated endpoints): used as they are, never stopped.
    process.env.SG_REVOKE_MOTO_ENDPOINTS = process.env.SG_REVOKE_MOTO_EXTERNAL;
    return;
  }
  const probe = spawnSync(PYTHON, ['-c', 'import moto.server'], { stdio: 'ignore' });
  if (probe.status !== 0) {
    const why = `moto_server is not available (\`${PYTHON} -c "import moto.server"\` failed)`;
    if (process.env.CI === 'true') throw new Error(`${why}: CI requires the integration tests to run`);
    loud([why, 'EVERY integration test is SKIPPED on this machine — nothing was verified against AWS APIs.']);
    process.env.SG_REVOKE_MOTO_ABSENT = why;
    return;
  }
  // One server per jest worker: tests reset moto between cases, and a shared server would let
  // one worker's reset wipe another's resources mid-test.
  const workers = Math.max(1, globalConfig.maxWorkers || 1);
  const logFile = path.join(os.tmpdir(), `sg-revoke-moto-${process.pid}.log`);
  const ports = await freePorts(workers);
  const started = await Promise.allSettled(ports.map((port) => startWithRetries(port, logFile)));
  const servers = started.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    // Jest runs no teardown after a failed setup: stop what did start before failing.
    for (const { child } of servers) process.kill(-child.pid, 'SIGKILL');
    throw failed.reason;
  }
  globalThis.__SG_REVOKE_MOTO__ = servers.map((s) => s.child);
  process.env.SG_REVOKE_MOTO_ENDPOINTS = servers.map((s) => s.endpoint).join(',');
  process.env.SG_REVOKE_MOTO_LOG = logFile;
  // Last resort if jest dies before teardown: never leave moto behind.
  process.once('exit', () => {
    for (const { child } of servers) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
  });
};

// The sandbox (npm run sandbox) starts its own server the same way.
module.exports.startMoto = async () =>
  startWithRetries(
    (await freePorts(1))[0],
    path.join(os.tmpdir(), `sg-revoke-sandbox-moto-${process.pid}.log`),
  );
