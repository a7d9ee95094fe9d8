// Renders one kind's TypeScript module (spec, status, enums, kind and plural) from its CRD's openAPIV3Schema.
// Named types: `{Kind}Spec`, `{Kind}Status`, nested objects `{Owner}{Property}`, array items singular,
// enums `{Owner}{Property}` as string-literal unions; `status.conditions` becomes meta.ts's Condition[].

import type { ResourceInfo } from "../../api/schema/resource-info.js";

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const singular = (s: string) => (s.endsWith("ies") ? `${s.slice(0, -3)}y` : s.endsWith("s") ? s.slice(0, -1) : s);
const CONDITION_FIELDS = ["lastTransitionTime", "message", "observedGeneration", "reason", "status", "type"].join();

/** True when a schema is metav1.Condition's, so that the type can be meta.ts's Condition. */
function isConditionList(schema: Node): boolean {
  const items = isNode(schema.items) ? schema.items : undefined;
  const props = isNode(items?.properties) ? Object.keys(items.properties).sort().join() : "";
  return schema.type === "array" && props === CONDITION_FIELDS;
}

function docComment(description: unknown, indent: string): string {
  if (typeof description !== "string" || description === "") return "";
  const words = description.replace(/\*\//g, "* /").split(/\s+/);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line !== "" && indent.length + 4 + line.length + 1 + word.length > 120) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}\n`).join("")}${indent} */\n`;
}

const propertyKey = (name: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name));

class Renderer {
  private readonly declarations: string[] = [];
  private readonly names = new Set<string>();
  usesCondition = false;

  constructor(private readonly source: string) {}

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`${this.source}: two schemas would both generate the type ${name}; rename a property`);
    this.names.add(name);
    return name;
  }

  /** The TypeScript type of a schema; `name` is the name a nested object or enum receives. */
  typeOf(schema: Node, name: string): string {
    if (Array.isArray(schema.enum)) {
      const alias = this.claim(name);
      const union = schema.enum.map((v) => JSON.stringify(v)).join(" | ");
      this.declarations.push(`${docComment(schema.description, "")}export type ${alias} = ${union};\n`);
      return alias;
    }
    switch (schema.type) {
      case "string":
        return "string";
      case "integer":
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "array": {
        const items = isNode(schema.items) ? schema.items : {};
        const inner = this.typeOf(items, singular(name));
        return /^[A-Za-z0-9_]+$/.test(inner) ? `${inner}[]` : `(${inner})[]`;
      }
      case "object":
        if (isNode(schema.properties)) return this.objectType(schema, name);
        if (isNode(schema.additionalProperties)) return `Record<string, ${this.typeOf(schema.additionalProperties, `${name}Value`)}>`;
        return "Record<string, unknown>";
      default:
        throw new Error(`${this.source}: the schema for ${name} has no supported type (${String(schema.type)})`);
    }
  }

  objectType(schema: Node, name: string, owner = name): string {
    const interfaceName = this.claim(name);
    const properties = isNode(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const members = Object.entries(properties).map(([key, child]) => {
      if (!isNode(child)) throw new Error(`${this.source}: property ${key} of ${name} is not a schema`);
      let type: string;
      if (key === "conditions" && isConditionList(child)) {
        this.usesCondition = true;
        type = "Condition[]";
      } else type = this.typeOf(child, `${owner}${pascal(key)}`);
      return `${docComment(child.description, "  ")}  ${propertyKey(key)}${required.has(key) ? "" : "?"}: ${type};\n`;
    });
    this.declarations.push(`${docComment(schema.description, "")}export interface ${interfaceName} {\n${members.join("")}}\n`);
    return interfaceName;
  }

  output(): string {
    return this.declarations.join("\n");
  }
}

/** The whole module for one kind; `crdFile` is the CRD's path relative to the repository, for the header. */
export function renderKindModule(info: ResourceInfo, crdFile: string): string {
  const renderer = new Renderer(crdFile);
  const properties = isNode(info.schema.properties) ? info.schema.properties : {};
  const part = (key: "spec" | "status"): string => {
    const schema = properties[key];
    if (!isNode(schema)) return "unknown";
    return renderer.objectType(schema, `${info.kind}${pascal(key)}`, info.kind);
  };
  const spec = part("spec");
  const status = part("status");
  const imports = renderer.usesCondition ? "Condition, KubeObject" : "KubeObject";
  return [
    `// generated by hack/gen/gen-types.ts from ${crdFile}; do not edit.\n`,
    `import type { ${imports} } from "../machinery/meta.js";\n`,
    `export const kind = ${JSON.stringify(info.kind)};\nexport const plural = ${JSON.stringify(info.plural)};\n`,
    renderer.output(),
    `${docComment(info.schema.description, "")}export type ${info.kind} = KubeObject<${spec}, ${status}>;\n`,
  ].join("\n");
}
