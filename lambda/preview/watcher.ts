/**
 * Watches what an issue is made of: the templates folder (with its subfolders: partials count), the config
 * file and a bookmark file. A single file is watched through its folder, by name: editors that save by
 * writing a new file and renaming it over the old one would leave a watch on the old file blind. Each folder
 * is watched on its own rather than with `recursive: true`: on Linux, Node 20's recursive watch stops
 * reporting a file once it has been replaced by a rename (measured with `sed -i`), which is how many editors save.
 */
import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import path from 'node:path';
import { debounce } from './debounce';

export interface WatchTarget {
  path: string;
  kind: 'dir' | 'file';
  /** What it is, for the page: "templates", "config", "bookmark file". */
  label: string;
}

export interface Watching {
  close(): void;
}

/** Editors' swap, backup and lock files: a change to one of these is no change to the issue. */
const EDITOR_DEBRIS = /(^\.#|~$|\.sw[a-p]$|^4913$|\.tmp$|^#.*#$)/;

/** Subfolders of `dir`, hidden ones and node_modules left out; none when it cannot be read. */
function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

export const isEditorDebris = (file: string): boolean => EDITOR_DEBRIS.test(path.basename(file));

/**
 * Calls `onChange` with the changed paths, once per burst (`quietMs` after the last event). A target that
 * cannot be watched (missing folder) is reported through `onProblem` and left out; the others still work.
 */
export function watchTargets(
  targets: readonly WatchTarget[],
  onChange: (changed: string[]) => void,
  options: { quietMs?: number; onProblem?: (message: string) => void } = {},
): Watching {
  const batch = debounce<string>({ quietMs: options.quietMs ?? 120 }, onChange);
  const watchers: FSWatcher[] = [];
  const problem = (target: WatchTarget, error: unknown) =>
    options.onProblem?.(`cannot watch the ${target.label} ${target.path}: ${(error as Error).message}`);

  /** Per folder: the target it is part of (a templates tree), and the single files watched in it. */
  const dirs = new Map<string, { tree?: WatchTarget; files: Map<string, string> }>();
  const watchDir = (dir: string, target: WatchTarget) => {
    if (dirs.has(dir)) return true;
    dirs.set(dir, { files: new Map() });
    try {
      const watcher = watch(dir, { persistent: true }, (_event, file) => {
        const changed = file ? path.join(dir, file.toString()) : dir;
        const interest = dirs.get(dir);
        const single = interest?.files.get(path.basename(changed));
        if (single) batch.push(single);
        if (!interest?.tree || isEditorDebris(changed)) return;
        // A new subfolder is watched from now on (its files are in the same burst as its creation).
        if (statSync(changed, { throwIfNoEntry: false })?.isDirectory()) watchTree(interest.tree, changed);
        batch.push(changed);
      });
      watcher.on('error', (error) => problem(target, error));
      watchers.push(watcher);
      return true;
    } catch (error) {
      dirs.delete(dir);
      problem(target, error);
      return false;
    }
  };
  const watchTree = (target: WatchTarget, dir: string) => {
    if (dirs.get(dir)?.tree || !watchDir(dir, target)) return;
    (dirs.get(dir) as { tree?: WatchTarget }).tree = target;
    for (const sub of subfolders(dir)) watchTree(target, sub);
  };

  for (const target of targets) {
    if (target.kind === 'dir') watchTree(target, target.path);
    else if (watchDir(path.dirname(target.path), target)) {
      dirs.get(path.dirname(target.path))?.files.set(path.basename(target.path), target.path);
    }
  }
  return {
    close() {
      batch.cancel();
      for (const watcher of watchers) watcher.close();
    },
  };
}

/**
 * The files of `targets` changed since `since` (ms): what a watch started after a build cannot have seen
 * (an edit saved while the first build ran).
 */
export function changedSince(targets: readonly WatchTarget[], since: number): string[] {
  const changed: string[] = [];
  const visit = (file: string, walk: boolean) => {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      if (!walk) return;
      for (const entry of readdirSync(file)) if (!isEditorDebris(entry)) visit(path.join(file, entry), true);
    } else if (stat.mtimeMs >= since) changed.push(file);
  };
  for (const target of targets) visit(target.path, target.kind === 'dir');
  return changed;
}

/** The same targets, whatever their order: a rebuild that watches the same things keeps its watchers. */
export const sameTargets = (a: readonly WatchTarget[], b: readonly WatchTarget[]): boolean => {
  const key = (targets: readonly WatchTarget[]) =>
    targets
      .map((t) => `${t.kind}:${t.path}`)
      .sort()
      .join('\n');
  return key(a) === key(b);
};
