// Reads `-f FILE|DIR|-` into objects: multi-document YAML or JSON, Lists expanded, each checked for
// apiVersion, kind and metadata.name. A bad document is a problem to report; the others still count.

import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import YAML from "yaml";
import type { KubeObject } from "../../api/machinery/meta.js";
import { ManifestError } from "./cli-errors.js";

export interface ManifestDocument {
  /** The file as given (`roles.yaml`, `manifests/a.yaml`) or `<stdin>`. */
  source: string;
  /** 1-based among the file's non-empty documents. */
  index: number;
  /** `"roles.yaml" (document 2)`, for messages. */
  label: string;
  object: KubeObject;
}

export interface ManifestSet {
  documents: ManifestDocument[];
  problems: ManifestError[];
}

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

export interface ReadManifestsOptions {
  recursive: boolean;
  stdin: AsyncIterable<Uint8Array | string>;
}

export async function readManifests(paths: string[], opts: ReadManifestsOptions): Promise<ManifestSet> {
  const set: ManifestSet = { documents: [], problems: [] };
  let stdinRead = false;
  for (const path of paths) {
    if (path === "-") {
      if (stdinRead) continue;
      stdinRead = true;
      append(set, parseManifests(await readAll(opts.stdin), "<stdin>"));
      continue;
    }
    let files: string[];
    try {
      files = await manifestFiles(path, opts.recursive);
    } catch (err) {
      set.problems.push(err instanceof ManifestError ? err : new ManifestError(`cannot read ${path}: ${(err as Error).message}`));
      continue;
    }
    for (const file of files) {
      try {
        append(set, parseManifests(await readFile(file, "utf8"), file));
      } catch (err) {
        set.problems.push(new ManifestError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`));
      }
    }
  }
  return set;
}

/** The manifest files a path stands for: itself, or the .yaml/.yml/.json files of a folder (sub-folders with -R), sorted. */
export async function manifestFiles(path: string, recursive: boolean): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ManifestError(code === "ENOENT" ? `the path "${path}" does not exist` : `cannot read ${path}: ${code ?? (err as Error).message}`);
  }
  if (!info.isDirectory()) return [path];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      if (recursive) files.push(...(await manifestFiles(child, true)));
    } else if (MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      files.push(child);
    }
  }
  return files;
}

export function parseManifests(text: string, source: string): ManifestSet {
  const set: ManifestSet = { documents: [], problems: [] };
  let index = 0;
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length === 0 && (doc.toJS() ?? null) === null) continue;
    index++;
    const label = `"${source}" (document ${index})`;
    if (doc.errors.length > 0) {
      set.problems.push(new ManifestError(`${label} is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`));
      continue;
    }
    const value: unknown = doc.toJS();
    const items = isList(value) ? value.items.map((item, i) => ({ item, label: `"${source}" (document ${index}, item ${i + 1})` })) : [{ item: value, label }];
    for (const { item, label: itemLabel } of items) {
      const problem = checkObject(item);
      if (problem) set.problems.push(new ManifestError(`${itemLabel}: ${problem}`));
      else set.documents.push({ source, index, label: itemLabel, object: item as KubeObject });
    }
  }
  return set;
}

function isList(value: unknown): value is { kind: string; items: unknown[] } {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { kind?: unknown; items?: unknown };
  return typeof v.kind === "string" && v.kind.endsWith("List") && Array.isArray(v.items);
}

function checkObject(value: unknown): string | undefined {
  const need = "every document needs apiVersion, kind and metadata.name";
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `is not a mapping (${need})`;
  const v = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const missing = [
    typeof v.apiVersion === "string" && v.apiVersion ? undefined : "apiVersion",
    typeof v.kind === "string" && v.kind ? undefined : "kind",
    typeof v.metadata?.name === "string" && v.metadata.name ? undefined : "metadata.name",
  ].filter((m): m is string => m !== undefined);
  return missing.length ? `missing ${missing.join(", ")} (${need})` : undefined;
}

function append(into: ManifestSet, from: ManifestSet): void {
  into.documents.push(...from.documents);
  into.problems.push(...from.problems);
}

async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
}
