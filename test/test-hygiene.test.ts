/**
 * Tests wait for events, not for time, and each test asserts something of its own. Checked on
 * the source of the test tree (TypeScript's parser, no type checking), so that a test that
 * sleeps and then counts, or passes by asserting nothing, fails here instead of in review.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/cli.js";

const TEST_DIR = join(ROOT, "test");
/** The one place a timer may end a wait: polling external processes (its comment says why). */
const WAIT_HELPER = "test/support/wait.ts";

const files = readdirSync(TEST_DIR, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => join(TEST_DIR, f))
  .sort();
const testFiles = files.filter((f) => f.endsWith(".test.ts"));

const parsed = new Map<string, ts.SourceFile>();
function parse(path: string): ts.SourceFile {
  let source = parsed.get(path);
  if (source === undefined) {
    source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
    parsed.set(path, source);
  }
  return source;
}

function where(source: ts.SourceFile, node: ts.Node): string {
  const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
  return `${relative(ROOT, source.fileName)}:${line + 1}`;
}

function visit(node: ts.Node, f: (n: ts.Node) => void): void {
  f(node);
  ts.forEachChild(node, (child) => visit(child, f));
}

/** `it`, `test` and their forms: it.each(t), it.skipIf(c), it.only, it.concurrent.each(t)... */
function isTestFunction(e: ts.Expression): boolean {
  for (;;) {
    if (ts.isIdentifier(e)) return e.text === "it" || e.text === "test";
    if (ts.isPropertyAccessExpression(e) || ts.isCallExpression(e)) e = e.expression;
    else if (ts.isTaggedTemplateExpression(e)) e = e.tag;
    else return false;
  }
}

type Body = ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration;
const isBody = (n: ts.Node | undefined): n is Body =>
  n !== undefined &&
  (ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n));

/** The function a test call runs: it("name", fn), it.each(t)("name", fn), it("name", fn, ms). */
function testBody(call: ts.CallExpression): ts.ArrowFunction | ts.FunctionExpression | undefined {
  for (const a of call.arguments) if (ts.isArrowFunction(a) || ts.isFunctionExpression(a)) return a;
  return undefined;
}

const ASSERTION = /^(expect|assert)$/;
/** A helper whose name says it asserts; it counts only if it really does (checked below). */
const ASSERTING_HELPER = /^(expect|assert)[A-Z]/;

/** The function `name` names in `source`: declared there, or imported from a test module. */
function definition(source: ts.SourceFile, name: string): Body | undefined {
  let found: Body | undefined;
  let from: string | undefined;
  visit(source, (n) => {
    if (found !== undefined) return;
    if (ts.isFunctionDeclaration(n) && n.name?.text === name) found = n;
    if (
      ts.isVariableDeclaration(n) &&
      ts.isIdentifier(n.name) &&
      n.name.text === name &&
      isBody(n.initializer)
    )
      found = n.initializer;
    if (
      ts.isImportDeclaration(n) &&
      ts.isStringLiteral(n.moduleSpecifier) &&
      n.moduleSpecifier.text.startsWith(".") &&
      n.importClause?.namedBindings !== undefined &&
      ts.isNamedImports(n.importClause.namedBindings) &&
      n.importClause.namedBindings.elements.some((e) => e.name.text === name)
    )
      from = resolve(dirname(source.fileName), n.moduleSpecifier.text.replace(/\.js$/, ".ts"));
  });
  if (found !== undefined || from === undefined || !files.includes(from)) return found;
  return definition(parse(from), name);
}

/** Does `node` assert: expect/assert, or a helper named expect…/assert… that asserts? */
function asserts(source: ts.SourceFile, node: ts.Node, seen = new Set<string>()): boolean {
  let yes = false;
  visit(node, (n) => {
    if (yes || !ts.isIdentifier(n)) return;
    if (ASSERTION.test(n.text)) yes = true;
    else if (ASSERTING_HELPER.test(n.text) && !seen.has(n.text)) {
      seen.add(n.text);
      const helper = definition(source, n.text);
      if (helper?.body !== undefined) yes = asserts(helper.getSourceFile(), helper.body, seen);
    }
  });
  return yes;
}

/** Tests whose own body asserts nothing: `file:line name`. */
function testsWithoutAssertions(): string[] {
  const found: string[] = [];
  for (const file of testFiles) {
    const source = parse(file);
    visit(source, (n) => {
      if (!ts.isCallExpression(n) || !isTestFunction(n.expression)) return;
      const body = testBody(n);
      if (body === undefined) return; // it.each(table) before its (name, fn) call; it.todo
      if (!asserts(source, body.body))
        found.push(`${where(source, n)} ${n.arguments[0]?.getText(source).slice(0, 80)}`);
    });
  }
  return found;
}

/** `new Promise((r) => setTimeout(r, ms))` and its spellings: a promise only a timer resolves. */
function isTimerPromise(n: ts.Node): boolean {
  if (!ts.isNewExpression(n) || !ts.isIdentifier(n.expression) || n.expression.text !== "Promise")
    return false;
  const executor = n.arguments?.[0];
  if (!isBody(executor)) return false;
  const first = executor.parameters[0]?.name;
  if (first === undefined || !ts.isIdentifier(first)) return false;
  const resolveName = first.text;
  /** `r` itself, or a function that only calls it: `() => r()`, `() => { r(); }`. */
  const callsResolve = (e: ts.Node): boolean => {
    if (ts.isIdentifier(e)) return e.text === resolveName;
    if (!isBody(e) || e.body === undefined) return false;
    const [only, ...more] = ts.isBlock(e.body) ? e.body.statements : [];
    const call = !ts.isBlock(e.body)
      ? e.body
      : only !== undefined && more.length === 0 && ts.isExpressionStatement(only)
        ? only.expression
        : undefined;
    return call !== undefined && ts.isCallExpression(call) && callsResolve(call.expression);
  };
  let yes = false;
  visit(executor, (c) => {
    if (
      ts.isCallExpression(c) &&
      ts.isIdentifier(c.expression) &&
      c.expression.text === "setTimeout" &&
      c.arguments[0] !== undefined &&
      callsResolve(c.arguments[0])
    )
      yes = true;
  });
  return yes;
}

/** Every way the test tree pauses on a timer, outside the one helper that may. */
function timedWaits(): string[] {
  const found: string[] = [];
  for (const file of files) {
    const name = relative(ROOT, file);
    if (name === WAIT_HELPER) continue;
    const source = parse(file);
    const isTest = file.endsWith(".test.ts");
    visit(source, (n) => {
      if (isTimerPromise(n)) found.push(`${where(source, n)} a promise a timer resolves`);
      if (
        ts.isImportDeclaration(n) &&
        ts.isStringLiteral(n.moduleSpecifier) &&
        /^(node:)?timers\/promises$/.test(n.moduleSpecifier.text)
      )
        found.push(`${where(source, n)} timers/promises`);
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression)) {
        // A test polls through `eventually` (with a deadline and a message), never a timer.
        if (isTest && n.expression.text === "setInterval")
          found.push(`${where(source, n)} setInterval in a test`);
        if (isTest && n.expression.text === "pause")
          found.push(`${where(source, n)} pause() in a test`);
      }
    });
  }
  return found;
}

describe("tests wait for events, not for time", () => {
  it("finds the test files", () => {
    expect(testFiles.length).toBeGreaterThan(100);
    expect(testFiles.map((f) => relative(ROOT, f))).toContain("test/test-hygiene.test.ts");
  });

  it("no test sleeps: no timer-resolved promise, timers/promises or setInterval outside test/support/wait.ts", () => {
    expect(timedWaits()).toEqual([]);
  });

  it("every it() asserts on its own (expect/assert, or an expect…/assert… helper that does)", () => {
    expect(testsWithoutAssertions()).toEqual([]);
  });
});

describe("the checks catch what they are for", () => {
  const scan = (text: string) => {
    const path = join(TEST_DIR, "virtual.test.ts");
    parsed.set(path, ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true));
    try {
      const source = parse(path);
      const sleeps: number[] = [];
      const silent: string[] = [];
      visit(source, (n) => {
        if (isTimerPromise(n)) sleeps.push(source.getLineAndCharacterOfPosition(n.pos).line);
        if (ts.isCallExpression(n) && isTestFunction(n.expression)) {
          const body = testBody(n);
          if (body !== undefined && !asserts(source, body.body))
            silent.push(n.arguments[0]?.getText(source) ?? "");
        }
      });
      return { sleeps: sleeps.length, silent };
    } finally {
      parsed.delete(path);
    }
  };

  it.each([
    "await new Promise((r) => setTimeout(r, 100));",
    "await new Promise((resolve) => setTimeout(() => resolve(), 100));",
    "await new Promise<void>(function (done) { setTimeout(done, 5); });",
    "await new Promise((r: any) => setTimeout(() => { r(); }, 200));",
  ])("a sleep: %s", (line) => {
    expect(scan(line).sleeps).toBe(1);
  });

  it.each([
    "const t = setTimeout(() => child.kill('SIGKILL'), 5000);",
    "new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 10));",
    "new Promise((r) => server.listen(0, r));",
  ])("not a sleep: %s", (line) => {
    expect(scan(line).sleeps).toBe(0);
  });

  it("tells tests that assert from tests that only call", () => {
    const { silent } = scan(`
      const expectOk = (v: number) => expect(v).toBe(1);
      const expectNothing = () => {};
      function check(v: number) { expect(v).toBe(1); }
      it("direct", () => { expect(1).toBe(1); });
      it("rejects", async () => { await expect(Promise.reject()).rejects.toThrow(); });
      it("helper named so, asserting", () => expectOk(1));
      it.each([1])("table %s", (v) => { assert.equal(v, 1); });
      it("helper named so, asserting nothing", () => { expectNothing(); });
      it("helper with another name", () => { check(1); });
      it("only calls", async () => { await run(); });
    `);
    expect(silent).toEqual([
      '"helper named so, asserting nothing"',
      '"helper with another name"',
      '"only calls"',
    ]);
  });
});
