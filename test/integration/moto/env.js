// Per worker: the SDK talks to this worker's moto_server only, with dummy credentials.
require('../../support/no-network.js'); // non-loopback sockets throw; sets credentials we override below

for (const name of Object.keys(process.env)) {
  // A per-service endpoint or a profile from the developer's shell must not redirect any call.
  if (name.startsWith('AWS_ENDPOINT_URL_') || name === 'AWS_PROFILE' || name === 'AWS_SESSION_TOKEN') {
    delete process.env[name];
  }
}
const endpoints = (process.env.SG_REVOKE_MOTO_ENDPOINTS || '').split(',').filter(Boolean);
const worker = Number(process.env.JEST_WORKER_ID || '1');
const endpoint = endpoints.length > 0 ? endpoints[(worker - 1) % endpoints.length] : '';
process.env.SG_REVOKE_MOTO_ENDPOINT = endpoint;
// Without moto the tests are skipped; a dead loopback port still keeps any stray call off AWS.
process.env.AWS_ENDPOINT_URL = endpoint || 'http://127.0.0.1:9';
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true'; // EMF lines on stdout; test/unit/handlers asserts them
