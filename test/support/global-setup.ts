import type { TestProject } from 'vitest/node';
import { startTestServer } from './postgres.js';
import { teardownThatCounts } from './teardown.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
  }
}

/** One PostgreSQL server for the whole run; every test creates its own database on it. */
export default async function setup(project: TestProject) {
  const server = await startTestServer();
  project.provide('adminUrl', server.adminUrl);
  return teardownThatCounts(() => server.stop());
}
