// Ends the moto_server process groups that global setup started (and only those).
const fs = require('node:fs');

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // SIGKILL if moto ignores SIGTERM; the timer is cleared so it cannot hold jest open.
    const timer = setTimeout(() => kill(child, 'SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (!kill(child, 'SIGTERM')) {
      clearTimeout(timer);
      resolve();
    }
  });
}

function kill(child, signal) {
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

module.exports = async function globalTeardown() {
  const children = globalThis.__SG_REVOKE_MOTO__ ?? [];
  globalThis.__SG_REVOKE_MOTO__ = undefined;
  delete process.env.SG_REVOKE_MOTO_ENDPOINTS; // watch mode reruns setup in this same process
  // The server log only matters when setup fails (its path is in that error): don't pile them up.
  if (process.env.SG_REVOKE_MOTO_LOG) fs.rmSync(process.env.SG_REVOKE_MOTO_LOG, { force: true });
  delete process.env.SG_REVOKE_MOTO_LOG;
  await Promise.all(children.map(stop));
};
