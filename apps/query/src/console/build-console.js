// Builds the console (part of `npm run build`): bundles web/main.tsx with esbuild into one
// minified script and one stylesheet named by their content hash, and writes index.html next to
// them in dist. The server compresses them at start (console-assets.ts).
// Decision: docs/decisions/027-console-stack.md.
const { createHash } = require('node:crypto');
const { mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const esbuild = require('esbuild');

const root = join(__dirname, '..', '..', '..', '..');
const out = join(root, 'dist', relative(root, __dirname), 'public');

async function main() {
  // esbuild strips types without checking them: check the browser code first.
  const tsc = require.resolve('typescript/bin/tsc');
  const check = require('node:child_process').spawnSync(process.execPath, [tsc, '-p', join(__dirname, 'web')], { stdio: 'inherit' });
  if (check.status !== 0) throw new Error('the console does not type-check (apps/query/src/console/web)');
  const bundled = { bundle: true, minify: true, target: ['es2022', 'chrome110', 'firefox110', 'safari16'], write: false, legalComments: 'none', logLevel: 'warning' };
  const result = await esbuild.build({
    ...bundled,
    entryPoints: [join(__dirname, 'web', 'main.tsx')],
    format: 'esm',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: out,
  });
  // The boot script runs inline as the HTML is parsed: it starts the first page's API requests
  // before the bundle has arrived (web/boot.tsx, web/early.tsx).
  const boot = await esbuild.build({ ...bundled, entryPoints: [join(__dirname, 'web', 'boot.tsx')], format: 'iife' });
  const bootJs = boot.outputFiles[0].text.trim();
  if (/<\/script/i.test(bootJs)) throw new Error('the boot script cannot be inlined: it contains </script');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const names = {};
  for (const file of result.outputFiles) {
    const ext = file.path.endsWith('.css') ? 'css' : 'js';
    const hash = createHash('sha256').update(file.contents).digest('hex').slice(0, 12);
    names[ext] = `console-${hash}.${ext}`;
    writeFileSync(join(out, names[ext]), file.contents);
  }
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>eventlog console</title>
<link rel="icon" href="data:,">
<script>${bootJs}</script>
<link rel="stylesheet" href="/ui/assets/${names.css}">
<script type="module" src="/ui/assets/${names.js}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The eventlog console needs JavaScript; the same data is at <a href="/docs">/docs</a> (the /v1 API).</noscript>
</body>
</html>
`;
  writeFileSync(join(out, 'index.html'), html);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
