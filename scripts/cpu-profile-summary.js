#!/usr/bin/env node
// Summarises a V8 CPU profile (node --cpu-prof, or APP_CPU_PROFILE_DIR in the benches): the share
// of the sampled time per package (or app module, or Node internal) and per function, self time.
// Usage: node scripts/cpu-profile-summary.js <file.cpuprofile> [top=25]
const { readFileSync } = require('node:fs');

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/cpu-profile-summary.js <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const selfMs = new Map();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));

/** Where a frame's code lives: a package, a module of this project's dist, a Node internal, or a native frame's name. */
function placeOf(frame) {
  const url = frame.url || '';
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/dist/')) return `eventlog: ${url.split('/dist/')[1].split('/').slice(0, 4).join('/')}`;
  if (url.startsWith('node:')) return url;
  return frame.functionName || url || '(unknown)';
}

const byPlace = new Map();
const byFunction = new Map();
let total = 0;
let idle = 0;
for (const node of profile.nodes) {
  const ms = selfMs.get(node.id) ?? 0;
  total += ms;
  if (node.callFrame.functionName === '(idle)') idle += ms;
  const place = placeOf(node.callFrame);
  byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
  const fn = `${node.callFrame.functionName || '(anonymous)'} ${(node.callFrame.url || '').split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
}
const busy = total - idle;
console.log(`${file}: ${(total / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy; shares of the busy time`);
const print = (title, map) => {
  console.log(`\n${title}`);
  [...map]
    .filter(([name]) => !name.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([name, ms]) => console.log(`${((100 * ms) / busy).toFixed(1).padStart(6)}%  ${name}`));
};
print('by place', byPlace);
print('by function', byFunction);
