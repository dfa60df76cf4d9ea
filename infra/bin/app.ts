import { createSgRevokeApp, withNagChecks } from '../lib/sg-revoke-app';

const { app } = createSgRevokeApp();
withNagChecks(app).synth();
