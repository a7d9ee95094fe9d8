// Checking what an imperative endpoint answered before trusting it: a clear error when the server is not
// a claw server of the same version, never a crash on a missing field.

export type AnswerObject = Record<string, unknown>;

export const malformed = (path: string, field: string) => new Error(`the server's answer to ${path} has no valid ${field}; is it a claw server of the same version?`);

export const shape = (body: unknown, path: string): AnswerObject => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw malformed(path, "body");
  return body as AnswerObject;
};

export const str = (body: AnswerObject, field: string, path: string): string => {
  const v = body[field];
  if (typeof v !== "string" || v === "") throw malformed(path, field);
  return v;
};

export const num = (body: AnswerObject, field: string, path: string): number => {
  const v = body[field];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw malformed(path, field);
  return v;
};
