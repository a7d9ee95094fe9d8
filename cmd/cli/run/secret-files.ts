// The private folder of `claw run`'s mounted secrets: 0700, each file 0600, removed when the run ends.
// Files are rewritten in place on rotation, so a bind mount of one file (docker -v) sees the new value.

import { chmod, mkdir, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { MountBinding } from "./run-plan.js";

export class SecretFiles {
  private constructor(readonly dir: string) {}

  /** A new folder only this user can enter, under `parent` ($TMPDIR) or the system's temporary folder. */
  static async create(parent?: string): Promise<SecretFiles> {
    const dir = await mkdtemp(join(parent || tmpdir(), "claw-run-"));
    // mkdtemp makes it 0700 already; say so explicitly, whatever the umask.
    await chmod(dir, 0o700);
    return new SecretFiles(dir);
  }

  pathOf(mount: MountBinding): string {
    return join(this.dir, mount.relative);
  }

  /** Writes every mounted file (its value from `values`, by secret name), mode 0600. */
  async write(mounts: readonly MountBinding[], values: ReadonlyMap<string, string>): Promise<void> {
    for (const mount of mounts) {
      const path = this.pathOf(mount);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      // Open with 0600 from the start (no moment with wider permissions); truncate keeps the inode.
      const file = await open(path, "w", 0o600);
      try {
        await file.chmod(0o600);
        await file.writeFile(values.get(mount.secret) ?? "", "utf8");
      } finally {
        await file.close();
      }
    }
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
