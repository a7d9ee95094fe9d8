import { describe, expect, it } from "vitest";
import { UsageError } from "../cli-errors.js";
import { engineArgs, imageName, parseEnvBindings, parseMountBindings, planLaunch, workloadName, type LaunchInput } from "./run-plan.js";

const launchOf = (args: string[], over: Partial<LaunchInput> = {}) =>
  planLaunch({ args, afterDashDash: false, findExecutable: (n) => (n === "podman" ? "/usr/bin/podman" : undefined), exists: () => false, ...over });

describe("planLaunch", () => {
  it.each([
    { name: "runs one image-like word under the engine found", args: ["my-app:latest"], over: {}, want: { kind: "image", engine: "/usr/bin/podman", image: "my-app:latest" } },
    { name: "takes a registry path with a slash as an image", args: ["ghcr.io/team/app"], over: {}, want: { kind: "image", image: "ghcr.io/team/app" } },
    { name: "runs anything after -- as a command, even if it looks like an image", args: ["my-app:latest"], over: { afterDashDash: true }, want: { kind: "command", file: "my-app:latest", args: [] } },
    { name: "runs a word with arguments as a command", args: ["my-app:latest", "--port", "80"], over: {}, want: { kind: "command", file: "my-app:latest" } },
    { name: "runs a relative or absolute path as a command", args: ["./bin/job"], over: {}, want: { kind: "command", file: "./bin/job" } },
    { name: "runs an existing file as a command", args: ["tools/job"], over: { exists: () => true }, want: { kind: "command", file: "tools/job" } },
    { name: "runs a plain word as a command", args: ["server"], over: {}, want: { kind: "command", file: "server", args: [] } },
    { name: "falls back to a command when no engine is on the PATH, and says why", args: ["my-app:latest"], over: { findExecutable: () => undefined }, want: { kind: "command", imageWithoutEngine: true } },
  ])("$name", ({ args, over, want }) => {
    expect(launchOf(args, over)).toMatchObject(want);
  });

  it("asks for something to run", () => {
    expect(() => launchOf([])).toThrow(UsageError);
  });
});

describe("the workload name", () => {
  it.each([
    { name: "is --workload when given", flag: "api-server", launch: launchOf(["server"]), want: "api-server" },
    { name: "is the command's file name", flag: undefined, launch: launchOf(["/usr/local/bin/worker", "-v"]), want: "worker" },
    { name: "is the image's name without registry, tag or digest", flag: undefined, launch: launchOf(["registry:5000/team/my-app:1.2@sha256:abc"]), want: "my-app" },
  ])("$name", ({ flag, launch, want }) => {
    expect(workloadName(flag, launch)).toBe(want);
  });

  it("is refused with a hint when the file name is no workload name", () => {
    expect(() => workloadName(undefined, launchOf(["./My_Tool"]))).toThrow(/the workload name "My_Tool" \(the command's file name\) is not valid: .*name the workload with --workload/);
  });

  it.each([
    ["my-app:latest", "my-app"],
    ["localhost:5000/app", "app"],
    ["app@sha256:0123", "app"],
  ])("imageName(%s) is %s", (image, want) => expect(imageName(image)).toBe(want));
});

describe("bindings", () => {
  it("maps variables to secrets", () => {
    expect(parseEnvBindings(["DATABASE_PASSWORD=database-password", "_X1=a"])).toEqual([{ env: "DATABASE_PASSWORD", secret: "database-password" }, { env: "_X1", secret: "a" }]);
  });

  it("places mounts under the private folder, absolute or not", () => {
    expect(parseMountBindings(["/secrets/cert.pem=tls-cert", "./key=k"])).toEqual([
      { target: "/secrets/cert.pem", relative: "secrets/cert.pem", secret: "tls-cert" },
      { target: "./key", relative: "key", secret: "k" },
    ]);
  });

  it.each([
    { name: "a variable without a secret", env: ["DB="], message: 'must be ENV=SECRET' },
    { name: "a variable name with a dash", env: ["DB-PASS=x"], message: "is not an environment variable name" },
    { name: "the variable claw run sets itself", env: ["CLAW_SECRETS_DIR=x"], message: "is set by claw run itself" },
    { name: "a variable given twice", env: ["A=x", "A=y"], message: "the variable A is given twice" },
    { name: "a path that climbs out of the folder", mounts: ["../etc/passwd=x"], message: 'without ".."' },
    { name: "a path given twice", mounts: ["/a=x", "a=y"], message: "is given twice" },
    { name: "a path that is another's folder", mounts: ["/a=x", "/a/b=y"], message: "cannot be a file and the folder of /a/b at once" },
  ])("refuses $name", ({ env, mounts, message }) => {
    expect(() => (env ? parseEnvBindings(env) : parseMountBindings(mounts ?? []))).toThrow(message);
  });
});

describe("engineArgs", () => {
  it("names the variables without their values and mounts the files read-only", () => {
    const args = engineArgs({ image: "app:1", env: ["DB"], mounts: [{ hostPath: "/tmp/claw-run-x/secrets/c.pem", target: "/secrets/c.pem" }, { hostPath: "/tmp/claw-run-x/k", target: "k" }], interactive: true, tty: false });
    expect(args).toEqual(["run", "--rm", "-i", "-e", "DB", "-v", "/tmp/claw-run-x/secrets/c.pem:/secrets/c.pem:ro", "-v", "/tmp/claw-run-x/k:/k:ro", "app:1"]);
  });
});
