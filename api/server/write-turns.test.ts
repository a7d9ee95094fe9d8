import { describe, expect, it } from "vitest";
import { WriteTurns } from "./write-turns.js";

/** A turn that records when it starts and ends, and ends when told. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const work = async () => {
    log.push(`${name} start`);
    await opened;
    log.push(`${name} end`);
    return name;
  };
  return { work, open };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("WriteTurns", () => {
  it("runs the turns of one key one after another, in the order they came", async () => {
    const turns = new WriteTurns();
    const log: string[] = [];
    const a = gate(log, "a");
    const b = gate(log, "b");
    const ra = turns.run("k", a.work);
    const rb = turns.run("k", b.work);
    await settle();
    expect(log).toEqual(["a start"]);
    a.open();
    b.open();
    expect(await Promise.all([ra, rb])).toEqual(["a", "b"]);
    expect(log).toEqual(["a start", "a end", "b start", "b end"]);
  });

  it("runs the turns of different keys at once", async () => {
    const turns = new WriteTurns();
    const log: string[] = [];
    const a = gate(log, "a");
    const b = gate(log, "b");
    const ra = turns.run("k1", a.work);
    const rb = turns.run("k2", b.work);
    await settle();
    expect(log).toEqual(["a start", "b start"]);
    a.open();
    b.open();
    await Promise.all([ra, rb]);
  });

  it("starts the next turn after one that failed, and hands the failure to its caller alone", async () => {
    const turns = new WriteTurns();
    const failed = turns.run("k", () => Promise.reject(new Error("conflict")));
    const next = turns.run("k", () => Promise.resolve("next"));
    await expect(failed).rejects.toThrow("conflict");
    await expect(next).resolves.toBe("next");
  });

  it("forgets a key once its last turn has ended", async () => {
    const turns = new WriteTurns();
    const log: string[] = [];
    const a = gate(log, "a");
    const ra = turns.run("k", a.work);
    const rb = turns.run("k", () => Promise.resolve("b"));
    expect(turns.keys).toBe(1);
    a.open();
    await Promise.all([ra, rb]);
    expect(turns.keys).toBe(0);
  });
});
