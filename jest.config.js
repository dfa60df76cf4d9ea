/** One config, three projects: unit (no network), infra (CDK template), integration (moto_server). */
const { spawnSync } = require('node:child_process');

// Without moto_server the integration project is left out, loudly; under CI=true it stays in and
// its global setup fails the run. (No describe.skip: nothing in the tree is skipped silently.)
const python = process.env.SG_REVOKE_MOTO_PYTHON || 'python3';
const motoPresent =
  Boolean(process.env.SG_REVOKE_MOTO_EXTERNAL) ||
  spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;
const runIntegration = motoPresent || process.env.CI === 'true';
if (!runIntegration) {
  const bar = '!'.repeat(78);
  process.stderr.write(
    `\n${bar}\n!! moto_server is not available (${python} -c "import moto.server" failed):\n` +
      `!! the INTEGRATION tests are NOT RUN on this machine; nothing was checked against AWS APIs.\n${bar}\n\n`,
  );
}
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
};
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  // Top level: Jest ignores testTimeout inside a `projects` entry. Generous because a loaded 2-core
  // machine runs moto_server and several workers at once; no test relies on timing.
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/support/no-network.js'],
    },
    {
      ...common,
      displayName: 'infra',
      testMatch: ['<rootDir>/test/infra/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/support/no-network.js'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: runIntegration
        ? ['<rootDir>/test/integration/**/*.test.ts']
        : ['<rootDir>/test/integration/__none__'],
      globalSetup: '<rootDir>/test/integration/moto/global-setup.js',
      globalTeardown: '<rootDir>/test/integration/moto/global-teardown.js',
      setupFiles: ['<rootDir>/test/integration/moto/env.js'],
    },
  ],
};
