import QRCode from "qrcode";
import { describe, expect, it } from "vitest";
import { penalty, qrCode } from "./qr.js";

/** The `qrcode` package's matrix for the same bytes, level and mask, as rows of booleans. */
function reference(text: string, mask: number): { version: number; modules: boolean[][] } {
  const qr = QRCode.create([{ data: Buffer.from(text, "utf8"), mode: "byte" }], { errorCorrectionLevel: "M", maskPattern: mask as QRCode.QRCodeMaskPattern });
  const size = qr.modules.size;
  return { version: qr.version, modules: Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => qr.modules.get(y, x) === 1)) };
}

const URI = "otpauth://totp/claw:admin?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=claw&algorithm=SHA1&digits=6&period=30";
const TEXTS: [string, string, number][] = [
  ["a one-byte text", "a", 1],
  ["a text filling version 1", "x".repeat(14), 1],
  ["a text one byte past version 1", "x".repeat(15), 2],
  ["a text of two blocks", "y".repeat(60), 4],
  ["an otpauth URI (four blocks, version information)", URI, 7],
  ["a text of uneven blocks", "w".repeat(150), 8],
  ["a long URI", `${URI}&image=${"z".repeat(40)}`, 9],
  ["the most version 10 holds (16-bit count)", "v".repeat(213), 10],
  ["UTF-8 text", "otpauth://totp/claw:jürgen?secret=ABC", 3],
];

describe("qrCode", () => {
  it.each(TEXTS)("matches the qrcode package module for module, for every mask: %s", (_what, text, version) => {
    expect(qrCode(text).version).toBe(version);
    for (let mask = 0; mask < 8; mask++) {
      const ours = qrCode(text, { mask });
      const theirs = reference(text, mask);
      expect(ours.version, `mask ${mask}`).toBe(theirs.version);
      expect(ours.modules, `mask ${mask}`).toEqual(theirs.modules);
    }
  });

  it("picks the mask with the least penalty when none is given", () => {
    const chosen = qrCode(URI);
    const scores = Array.from({ length: 8 }, (_, mask) => penalty(qrCode(URI, { mask }).modules));
    expect(penalty(chosen.modules)).toBe(Math.min(...scores));
    expect(chosen.size).toBe(chosen.version * 4 + 17);
  });

  it("refuses a text longer than version 10 holds", () => {
    expect(() => qrCode("v".repeat(214))).toThrow(/do not fit a version 10/);
  });
});
