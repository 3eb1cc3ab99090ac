// Every Kubernetes manifest under deploy/kubernetes/, checked offline against the Kubernetes API's own
// schemas (no cluster is reachable here): kubernetes-models' validators, generated from the OpenAPI spec,
// check types, enums and required fields; its TypeScript interfaces, through tsc's excess-property check,
// catch unknown (e.g. misspelt) fields, which the JSON schemas allow. Then what the README promises of them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REPO } from '../support/paths.js';

const require = createRequire(import.meta.url);
const DIR = path.join(REPO, 'deploy/kubernetes');

/** kind -> the kubernetes-models module that has its model. */
const MODELS: Record<string, string> = {
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'v1/Service': 'kubernetes-models/v1/Service',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'batch/v1/Job': 'kubernetes-models/batch/v1/Job',
};

interface Manifest {
  file: string;
  index: number;
  object: Record<string, any>;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry) ? [full] : [];
  });
}

function load(): Manifest[] {
  return yamlFiles(DIR).flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((document, index) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map(String).join('; ')}`);
      return { file: path.relative(REPO, file), index, object: document.toJS() as Record<string, any> };
    }),
  );
}

const manifests = load();
const byName = (file: string) => manifests.find((manifest) => manifest.file === `deploy/kubernetes/${file}`)?.object as Record<string, any>;
const kindOf = (object: Record<string, any>) => `${object.apiVersion}/${object.kind}`;

/** Validates with the model's generated schema validator: undefined when valid, else the errors. */
function schemaErrors(object: Record<string, any>): string | undefined {
  const module = MODELS[kindOf(object)];
  if (!module) return `no schema known for ${kindOf(object)}: add it to MODELS`;
  const Model = require(module)[object.kind as string];
  try {
    new Model(object).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('deploy/kubernetes', () => {
  it('holds a Secret, a Service, a migration Job, a Deployment and the in-pod migration variant', () => {
    expect(manifests.map((manifest) => `${manifest.file} ${manifest.object.kind}`).sort()).toEqual([
      'deploy/kubernetes/deployment.yaml Deployment',
      'deploy/kubernetes/in-pod-migration/deployment.yaml Deployment',
      'deploy/kubernetes/migrate-job.yaml Job',
      'deploy/kubernetes/secret.yaml Secret',
      'deploy/kubernetes/service.yaml Service',
    ]);
  });

  it.each(manifests.map((manifest) => [`${manifest.file}#${manifest.index}`, manifest] as const))('%s is valid against its Kubernetes schema', (_, manifest) => {
    expect(schemaErrors(manifest.object)).toBeUndefined();
  });

  it('the schema check fails a wrong type (so a pass means something)', () => {
    const broken = structuredClone(byName('deployment.yaml'));
    broken.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = 'yes';
    expect(schemaErrors(broken)).toMatch(/readOnlyRootFilesystem must be boolean/);
  });

  it('no manifest has a field the API does not know (tsc excess-property check against the API types)', () => {
    const check = (objects: Manifest[]) => {
      const dir = path.join(REPO, '.tmp/manifests');
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, 'check.ts');
      const lines = objects.map((manifest, i) => {
        const module = MODELS[kindOf(manifest.object)] as string;
        return `import type { I${manifest.object.kind} as T${i} } from '${module}';\nexport const m${i}: T${i} = ${JSON.stringify(manifest.object, null, 2)};`;
      });
      writeFileSync(file, `${lines.join('\n')}\n`);
      return spawnSync(path.join(REPO, 'node_modules/.bin/tsc'), ['--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', file], {
        cwd: REPO,
        encoding: 'utf8',
      });
    };
    const result = check(manifests);
    expect(result.stdout + result.stderr, 'tsc found fields the Kubernetes API does not have').toBe('');
    expect(result.status).toBe(0);

    const misspelt = structuredClone(manifests.find((manifest) => manifest.file.endsWith('/deployment.yaml')) as Manifest);
    misspelt.object.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
    const failing = check([misspelt]);
    expect(failing.status).not.toBe(0);
    expect(failing.stdout).toMatch(/readOnlyRootFileSystem/);
  });

  const pods = manifests
    .filter((manifest) => ['Deployment', 'Job'].includes(manifest.object.kind))
    .map((manifest) => [manifest.file, manifest.object.spec.template.spec] as const);

  it.each(pods)('%s runs as non-root with a read-only root file system, a writable /tmp, no privileges', (_, pod) => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    for (const container of pod.containers) {
      expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      expect(container.envFrom).toEqual([{ secretRef: { name: 'backend-database' } }]);
      expect(container.image).toBe('backend-supervisor-example:latest');
    }
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
  });

  const env = (pod: Record<string, any>) => Object.fromEntries(pod.containers[0].env.map((entry: { name: string; value: string }) => [entry.name, entry.value]));

  it('the Job runs `migrate` once per attempt, with a bounded number of attempts and a deadline', () => {
    const job = byName('migrate-job.yaml');
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 900 });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.spec.containers[0].args).toEqual(['migrate']);
    // The migration gives up (70 / 75) before the Job's deadline kills it without a word.
    expect(Number(env(job.spec.template.spec).MIGRATION_TIMEOUT)).toBeLessThan(job.spec.activeDeadlineSeconds);
  });

  it.each([
    ['deployment.yaml', 'false'],
    ['in-pod-migration/deployment.yaml', 'true'],
  ])('%s: RUN_MIGRATIONS=%s, probes on /health, and a grace period the supervisor always finishes within', (file, runMigrations) => {
    const pod = byName(file).spec.template.spec;
    const variables = env(pod);
    expect(variables.RUN_MIGRATIONS).toBe(runMigrations);
    const container = pod.containers[0];
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(container[probe].httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8000 }]);
    expect(Number(variables.SHUTDOWN_DELAY) + Number(variables.SHUTDOWN_TIMEOUT)).toBeLessThan(pod.terminationGracePeriodSeconds);
    if (runMigrations === 'true') {
      // The startupProbe waits longer than the longest migration, lock wait included.
      const startupSeconds = container.startupProbe.periodSeconds * container.startupProbe.failureThreshold;
      expect(Number(variables.MIGRATION_TIMEOUT)).toBeLessThan(startupSeconds);
      expect(Number(variables.MIGRATION_LOCK_TIMEOUT)).toBeLessThan(startupSeconds);
    }
  });

  it('the Service selects the Deployments\' pods and the Secret holds DATABASE_URL', () => {
    const selector = byName('service.yaml').spec.selector;
    for (const file of ['deployment.yaml', 'in-pod-migration/deployment.yaml']) expect(byName(file).spec.template.metadata.labels).toEqual(selector);
    expect(Object.keys(byName('secret.yaml').stringData)).toEqual(['DATABASE_URL']);
  });
});

