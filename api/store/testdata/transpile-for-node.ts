// Test support: lets a test run a TypeScript entry point as a plain `node` child process (Node 20
// cannot run .ts). The entry and every relative module it imports are transpiled with TypeScript's
// transpileModule into a temp dir that mirrors the repo layout; a node_modules symlink makes the
// packages resolve. No type checking here: tsc already checks these files.

import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

export interface TranspileOptions {
  /** Absolute path of the .ts entry point. */
  entry: string;
  /** Repository root: where node_modules lives and what output paths mirror. */
  root: string;
  /** Output directory (created). */
  outDir: string;
}

/** Transpiles entry and its relative imports; returns the path of the compiled entry (.js). */
export async function transpileForNode(options: TranspileOptions): Promise<string> {
  await mkdir(options.outDir, { recursive: true });
  await symlink(join(options.root, "node_modules"), join(options.outDir, "node_modules"), "dir");
  await writeFile(join(options.outDir, "package.json"), JSON.stringify({ type: "module" }));
  const done = new Set<string>();
  const pending = [resolve(options.entry)];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const source = await readFile(file, "utf8");
    for (const imported of ts.preProcessFile(source, true, true).importedFiles) {
      if (imported.fileName.startsWith(".")) pending.push(resolve(dirname(file), imported.fileName.replace(/\.js$/, ".ts")));
    }
    const output = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
    });
    const target = join(options.outDir, relative(options.root, file)).replace(/\.ts$/, ".js");
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, output.outputText);
  }
  return join(options.outDir, relative(options.root, options.entry)).replace(/\.ts$/, ".js");
}
