// Whether the build in lambda/cli/dist (lambda/cli/build.mjs) may run: plain JS, so bin.js loads it before
// anything else and the build script and the tests ask the same question.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(__dirname, 'dist');

/**
 * The build's manifest when there is a build and no file it was built from (the sources, the build script,
 * the package.json of each package bundled in) has changed or gone since; otherwise undefined.
 */
function freshBuild(dist = DIST, root = ROOT) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(manifest.sources) || typeof manifest.builtAt !== 'number') return undefined;
  for (const source of manifest.sources) {
    const stat = fs.statSync(path.join(root, source), { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs > manifest.builtAt) return undefined;
  }
  return manifest;
}

module.exports = { DIST, ROOT, freshBuild };
