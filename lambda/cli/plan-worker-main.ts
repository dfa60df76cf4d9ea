import { isPlanWorker, runPlanWorker } from './plan-worker';

// Entry of dist/plan-worker.cjs: only the planning code, so a worker starts in tens of ms
// whatever else the CLI bundles (AWS SDK clients for apply and reverify).
if (isPlanWorker()) runPlanWorker();
