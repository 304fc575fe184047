// Builds @eventlog/client into dist/packages/client (part of `npm run build`), ready for `npm pack`:
// one CommonJS bundle with the contracts it uses copied in, declarations, package.json and README.
// Decision: docs/decisions/034-client-package.md.
const { spawnSync } = require('node:child_process');
const { builtinModules } = require('node:module');
const { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');
const esbuild = require('esbuild');

const root = join(__dirname, '..', '..');
const out = join(root, 'dist', 'packages', 'client');
const tsconfig = join(__dirname, 'tsconfig.package.json');
const manifest = JSON.parse(readFileSync(join(__dirname, 'package.json'), 'utf8'));
const peers = Object.keys(manifest.peerDependencies);

async function main() {
  rmSync(out, { recursive: true, force: true });
  // Declarations, and a type check of the client against the contracts subset it may use.
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('the client package does not type-check (libs/client/tsconfig.package.json)');
  const contracts = join(out, 'types', 'client', 'packaged-contracts');
  for (const file of walk(join(out, 'types', 'client', 'src'))) {
    let relativeContracts = relative(dirname(file), contracts);
    if (!relativeContracts.startsWith('.')) relativeContracts = `./${relativeContracts}`;
    const text = readFileSync(file, 'utf8').replace(/(["'])@eventlog\/contracts\1/g, `'${relativeContracts}'`);
    if (/@eventlog\//.test(text)) throw new Error(`${file} still names an @eventlog/* path alias`);
    writeFileSync(file, text);
  }
  writeFileSync(join(out, 'index.d.ts'), "export * from './types/client/src/index';\n");

  // Peers stay outside (the service installs the ones its transport needs); everything else is bundled.
  const result = await esbuild.build({
    entryPoints: [join(__dirname, 'src', 'index.ts')],
    outfile: join(out, 'index.js'),
    tsconfig,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: peers.flatMap((p) => [p, `${p}/*`]),
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  for (const { imports } of Object.values(result.metafile.outputs)) {
    const foreign = imports.filter((i) => i.external && !builtins.has(i.path) && !peers.some((p) => i.path === p || i.path.startsWith(`${p}/`)));
    if (foreign.length) throw new Error(`the client bundle requires ${foreign.map((i) => i.path).join(', ')}, which it neither bundles nor declares as a peer`);
  }
  copyFileSync(join(__dirname, 'package.json'), join(out, 'package.json'));
  copyFileSync(join(__dirname, 'README.md'), join(out, 'README.md'));
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (path.endsWith('.d.ts')) yield path;
  }
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
