// Checks the image tests' prerequisites (failing loudly, naming the command to run), then builds the
// image once for the whole run with the local base images.
import { execa } from 'execa';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../support/paths.js';
import { BASES, BUILD_LOG, IMAGE, PIP_EXTRA_ARGS, PREPARE } from './docker.js';

async function ok(command: string, args: string[]): Promise<boolean> {
  const result = await execa(command, args, { reject: false });
  return result.exitCode === 0;
}

export default async function setup(): Promise<void> {
  const missing: string[] = [];
  for (const tool of ['docker', 'docker-compose']) {
    if (!(await ok('sh', ['-c', `command -v ${tool}`]))) missing.push(`the ${tool} command`);
  }
  if (missing.length === 0 && !(await ok('docker', ['info']))) missing.push('a running Docker engine (`docker info` fails)');
  if (missing.length === 0) {
    for (const image of Object.values(BASES)) {
      if (image.startsWith('local/') && !(await ok('docker', ['image', 'inspect', image]))) missing.push(`the base image ${image}`);
    }
  }
  if (/--no-index/.test(PIP_EXTRA_ARGS)) {
    const wheels = readdirSync(path.join(REPO, 'docker/wheels')).filter((file) => file.endsWith('.whl'));
    if (wheels.length === 0) missing.push('the wheels in docker/wheels/');
  }
  if (missing.length > 0) {
    throw new Error(`image tests: missing ${missing.join(', ')}. Run \`${PREPARE}\` first (npm run test:image does).`);
  }

  const args = [
    'build', '--network', 'host', '-f', 'Dockerfile.backend', '-t', IMAGE,
    '--build-arg', `NODE_IMAGE=${BASES.node}`,
    '--build-arg', `PYTHON_IMAGE=${BASES.python}`,
    '--build-arg', `PIP_EXTRA_ARGS=${PIP_EXTRA_ARGS}`,
    '.',
  ];
  const started = Date.now();
  const build = await execa('docker', args, { cwd: REPO, reject: false, all: true });
  writeFileSync(BUILD_LOG, `docker ${args.join(' ')}\n\n${String(build.all)}\n`);
  if (build.exitCode !== 0) {
    const tail = String(build.all).split('\n').slice(-40).join('\n');
    throw new Error(`image tests: \`docker ${args.join(' ')}\` failed (exit ${build.exitCode}); full log in ${BUILD_LOG}:\n${tail}`);
  }
  console.log(`image tests: built ${IMAGE} in ${((Date.now() - started) / 1000).toFixed(0)} s (log: ${BUILD_LOG})`);
}
