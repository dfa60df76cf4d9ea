import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config';
import { SgRevokeStack } from './sg-revoke-stack';

export const STACK_NAME = 'SgRevokeStack';

/**
 * The app as `cdk synth` builds it; the tests call it with cdk.json's context so they assert on the
 * same template. No `env`: the template stays account- and region-agnostic and synthesizes offline.
 */
export function createSgRevokeApp(props?: AppProps): { app: App; stack: SgRevokeStack } {
  const app = new App(props);
  const config = readConfig(app.node);
  const stack = new SgRevokeStack(app, STACK_NAME, {
    config,
    description: 'sg-revoke: approve-then-revoke of internet-open security group ingress rules, with audit',
  });
  return { app, stack };
}

/** cdk-nag 3 is a validation plugin: with it, any unacknowledged AwsSolutions finding fails synth. */
export function withNagChecks(app: App): App {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

/** cdk.json's `context`, for building the app outside the CLI (tests, scripts). */
export function cdkJsonContext(): Record<string, unknown> {
  const file = path.join(__dirname, '..', '..', 'cdk.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { context: Record<string, unknown> }).context;
}
