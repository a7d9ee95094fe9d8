// A single pass over YAML text, before the yaml package sees it: an upper bound on how deeply it nests,
// and how many anchors, aliases and tags it uses. The yaml package recurses once per level (a few
// thousand levels crash the process) and costs quadratic time in aliases, anchors and tags, so a body
// is measured here, with loops only, and refused before it is parsed.

export interface YamlScan {
  /** The nesting bound passed `maxDepth`; the scan stopped there. */
  tooDeep: boolean;
  anchors: number;
  aliases: number;
  tags: number;
}

/**
 * Scans `text`. The depth is an upper bound (block collections by their indentation, flow collections
 * by their brackets, quoted, block and comment text skipped), so a document is never counted shallower
 * than it is; odd text such as a plain scalar continued on a line starting with "- " may count deeper.
 */
export function scanYaml(text: string, maxDepth: number): YamlScan {
  return new YamlScanner(text, maxDepth).run();
}

type Block = { col: number; kind: "seq" | "map" };
type Flow = { seq: boolean; pair: boolean };

class YamlScanner {
  private i = 0;
  private lineStart = 0;
  private readonly blocks: Block[] = [];
  private readonly flows: Flow[] = [];
  /** Single-pair maps open in flow sequences (`[a: b]`), each one level deeper. */
  private pairs = 0;
  /** The column where the node being read began, so a `:` after it opens a map there. */
  private keyCol = 0;
  private readonly out: YamlScan = { tooDeep: false, anchors: 0, aliases: 0, tags: 0 };

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  run(): YamlScan {
    while (this.i < this.text.length && !this.out.tooDeep) {
      if (this.flows.length === 0) this.blockLine();
      else {
        // A flow collection that began on an earlier line: once it closes, its line goes on as a node's.
        this.flow();
        if (this.flows.length === 0 && !this.out.tooDeep) this.node(this.i, true);
      }
    }
    return this.out;
  }

  /** A line outside flow collections: indentation closes blocks, then its node is read. */
  private blockLine(): void {
    this.lineStart = this.i;
    let p = this.i;
    while (this.at(p) === " ") p++;
    const indent = p - this.lineStart;
    const c = this.at(p);
    if (isLineEnd(c) || c === "#") return this.endLine(p);
    if (indent === 0 && c === "%") return this.endLine(p);
    if (indent === 0 && (this.text.startsWith("---", p) || this.text.startsWith("...", p)) && isBlank(this.at(p + 3))) {
      this.blocks.length = 0;
      return this.node(p + 3);
    }
    // A sequence at this column ends at the first line of it that is not an item.
    const item = c === "-" && isBlank(this.at(p + 1));
    for (let top = this.blocks.at(-1); top && (top.col > indent || (top.col === indent && top.kind === "seq" && !item)); top = this.blocks.at(-1)) this.blocks.pop();
    this.node(p);
  }

  /**
   * Reads the rest of a line from a node's start: indicators (`- `, `? `) and properties, the node, and
   * after a `:` that makes it a key, its value, in one loop. `resume` continues after a flow collection
   * that began on an earlier line. After a quoted or flow node the `:` may follow at once, as in `"a":1`.
   */
  private node(p: number, resume = false): void {
    let atStart = !resume;
    let jsonLike = resume;
    let nodeEnd = p;
    while (!this.out.tooDeep) {
      const c = this.at(p);
      if (isLineEnd(c)) break;
      if (!atStart) {
        if (c === "#" && isSpace(this.at(p - 1))) break;
        if (c === ":" && (isBlank(this.at(p + 1)) || (jsonLike && p === nodeEnd))) {
          this.openBlock(this.keyCol, "map");
          atStart = true;
        }
        p++;
        continue;
      }
      const col = p - this.lineStart;
      if (isSpace(c)) p++;
      else if (c === "#") break;
      else if ((c === "-" || c === "?") && isBlank(this.at(p + 1))) {
        this.openBlock(col, c === "-" ? "seq" : "map");
        p++;
      } else if (c === "&" || c === "!") {
        this.countProperty(c);
        p = this.tokenEnd(p);
      } else if (c === "|" || c === ">") return this.blockScalar(p);
      else {
        this.keyCol = col;
        atStart = false;
        jsonLike = c === "[" || c === "{" || c === '"' || c === "'";
        if (c === "*") {
          this.out.aliases++;
          p = this.tokenEnd(p);
        } else if (c === "[" || c === "{") {
          this.i = p;
          this.flow();
          if (this.flows.length > 0 || this.out.tooDeep) return;
          p = this.i;
        } else if (jsonLike) p = this.quoted(p);
        nodeEnd = p;
      }
    }
    this.endLine(p);
  }

  /** Inside `[…]` or `{…}`, across lines, until the outermost one closes. */
  private flow(): void {
    let p = this.i;
    for (let c = this.at(p); c !== ""; c = this.at(p)) {
      const top = this.flows.at(-1);
      if (c === "[" || c === "{") {
        this.flows.push({ seq: c === "[", pair: false });
        this.checkDepth();
        if (this.out.tooDeep) return;
      } else if (c === "]" || c === "}" || c === ",") {
        if (top?.pair) this.pairs--;
        if (c !== ",") this.flows.pop();
        else if (top) top.pair = false;
        if (this.flows.length === 0) {
          this.i = p + 1;
          return;
        }
      } else if (c === '"' || c === "'") {
        p = this.quoted(p);
        continue;
      } else if (c === "#" && (p === this.lineStart || isBlank(this.at(p - 1)))) {
        while (!isLineEnd(this.at(p))) p++;
        continue;
      } else if (c === "\n") this.lineStart = p + 1;
      else if ((c === ":" || c === "?") && top?.seq && !top.pair && (isBlank(this.at(p + 1)) || ",[]{}".includes(this.at(p + 1)) || `"']}`.includes(this.at(p - 1)))) {
        top.pair = true;
        this.pairs++;
        this.checkDepth();
      } else if ((c === "&" || c === "!" || c === "*") && (p === this.lineStart || isBlank(this.at(p - 1)) || "[{,".includes(this.at(p - 1)))) {
        if (c === "*") this.out.aliases++;
        else this.countProperty(c);
        p = this.tokenEnd(p);
        continue;
      }
      p++;
    }
    this.i = p;
  }

  /** `|` or `>`: its lines are text, up to the first one not indented past the collection it sits in. */
  private blockScalar(p: number): void {
    const parent = this.blocks.at(-1)?.col ?? -1;
    while (!isLineEnd(this.at(p))) p++;
    for (;;) {
      p = this.skipNewline(p);
      let q = p;
      while (this.at(q) === " ") q++;
      const blank = isLineEnd(this.at(q));
      const marker = q === p && (this.text.startsWith("---", p) || this.text.startsWith("...", p));
      if (this.at(p) === "" || marker || (!blank && q - p <= parent)) break;
      p = q;
      while (!isLineEnd(this.at(p))) p++;
    }
    this.i = p;
  }

  /** Past a quoted scalar (which may span lines) from its opening quote. */
  private quoted(p: number): number {
    const quote = this.at(p);
    for (p++; this.at(p) !== ""; p++) {
      const c = this.at(p);
      if (c === "\\" && quote === '"') p++;
      else if (c === quote) {
        if (quote === "'" && this.at(p + 1) === "'") p++;
        else return p + 1;
      } else if (c === "\n") this.lineStart = p + 1;
    }
    return p;
  }

  private openBlock(col: number, kind: Block["kind"]): void {
    const top = this.blocks.at(-1);
    if (top?.col === col && top.kind === kind) return;
    this.blocks.push({ col, kind });
    this.checkDepth();
  }

  private checkDepth(): void {
    if (this.blocks.length + this.flows.length + this.pairs > this.maxDepth) this.out.tooDeep = true;
  }

  private countProperty(c: string): void {
    if (c === "&") this.out.anchors++;
    else this.out.tags++;
  }

  private tokenEnd(p: number): number {
    while (!isBlank(this.at(p)) && !",[]{}".includes(this.at(p))) p++;
    return p;
  }

  private endLine(p: number): void {
    while (!isLineEnd(this.at(p))) p++;
    this.i = this.skipNewline(p);
  }

  private skipNewline(p: number): number {
    if (this.at(p) === "\r") p++;
    return this.at(p) === "\n" ? p + 1 : p;
  }

  /** The character at `p`, "" past the end. */
  private at(p: number): string {
    return p < this.text.length ? this.text[p]! : "";
  }
}

const isSpace = (c: string): boolean => c === " " || c === "\t";
const isLineEnd = (c: string): boolean => c === "\n" || c === "\r" || c === "";
const isBlank = (c: string): boolean => isSpace(c) || isLineEnd(c);
