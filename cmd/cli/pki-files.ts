// Writing the PKI's files: each one whole or not at all (a temporary file renamed over it), with exactly
// the mode asked for, whatever the umask and whatever mode an older file had.

import { access, chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Public: certificates and CRLs. */
export const PUBLIC_FILE = 0o644;
/** A private key. */
export const PRIVATE_FILE = 0o600;
export const PUBLIC_DIR = 0o755;

/** A file the command could not write, with the path and what to do. */
export class PkiFileError extends Error {
  override name = "PkiFileError";
}

export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await rm(temp, { force: true });
    // wx: never write through a file (or a link) someone put at the temporary name meanwhile.
    await writeFile(temp, content, { mode, flag: "wx" });
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw fileError(path, err);
  }
}

/** Makes the folder (and its parents) when missing; a folder made now gets exactly `mode`, an existing one is left as it is. */
export async function ensureDir(path: string, mode: number): Promise<void> {
  try {
    const made = await mkdir(path, { recursive: true, mode });
    if (made !== undefined) await chmod(path, mode);
  } catch (err) {
    throw fileError(path, err);
  }
}

export async function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The file's text, or undefined when there is none. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fileError(path, err, "read");
  }
}

function fileError(path: string, err: unknown, verb: "read" | "write" = "write"): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") return new PkiFileError(`cannot ${verb} ${path}: permission denied; run as a user who may ${verb} there, or pass --dir DIR`);
  return new PkiFileError(`cannot ${verb} ${path}: ${(err as Error).message}`);
}
