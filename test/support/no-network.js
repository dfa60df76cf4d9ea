// Unit and infra tests never reach a network: any socket to a non-loopback address fails the test loudly.
const net = require('node:net');
const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  const opts = typeof args[0] === 'object' ? args[0] : { port: args[0], host: args[1] };
  const host = opts.host ?? 'localhost';
  if (!opts.path && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new Error(`test tried to reach the network (${host}:${opts.port}); mock the SDK instead`);
  }
  return original.apply(this, args);
};
process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY = 'test-secret-not-real';
process.env.AWS_REGION = process.env.AWS_REGION || 'us-east-1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_DEV = 'false';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
