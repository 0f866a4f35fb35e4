import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

/**
 * The layer rules of docs/architecture.md, checked on every relative import of the repository's .ts
 * files. The rules are read from the page's "Layers" table, so the page and this test cannot disagree.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const DOC = "docs/architecture.md";

/**
 * Imports allowed to break a rule until they are fixed, each `[importing file, imported file]`. The
 * test fails on an entry whose import is gone or keeps to the rules, so an entry cannot outlive its fix.
 */
const KNOWN_VIOLATIONS: ReadonlyArray<readonly [from: string, to: string]> = [];

interface Layer {
  readonly name: string;
  readonly patterns: readonly string[];
  readonly mayImport: ReadonlySet<string>;
}

interface Import {
  readonly from: string;
  readonly to: string;
  readonly specifier: string;
  readonly line: number;
}

const cells = (row: string): string[] =>
  row
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((cell) => cell.trim());

/** The rows of the table under "## Layers": name, file patterns and the layers each may import. */
function readLayers(): Layer[] {
  const lines = readFileSync(path.join(ROOT, DOC), "utf8").split("\n");
  const start = lines.findIndex((line) => line.trim() === "## Layers");
  assert.ok(start >= 0, `${DOC} has no "## Layers" section`);
  const tableStart = lines.findIndex((line, i) => i > start && line.trim().startsWith("|"));
  const table: string[] = [];
  for (let i = tableStart; i < lines.length && lines[i].trim().startsWith("|"); i++) table.push(lines[i]);
  const header = cells(table[0]).map((cell) => cell.toLowerCase());
  const column = (name: string): number => {
    const index = header.indexOf(name);
    assert.ok(index >= 0, `${DOC}'s layer table has no "${name}" column`);
    return index;
  };
  const [nameAt, filesAt, importsAt] = [column("layer"), column("files"), column("may import")];
  const rows = table.slice(2).map(cells);
  const names = rows.map((row) => row[nameAt]);
  return rows.map((row) => {
    const patterns = [...row[filesAt].matchAll(/`([^`]+)`/g)].map((match) => match[1]);
    assert.ok(patterns.length > 0, `${DOC}: layer "${row[nameAt]}" names no files`);
    const spec = row[importsAt];
    let mayImport: string[];
    if (spec === "—" || spec === "-" || spec === "") mayImport = [];
    else if (spec === "any") mayImport = names;
    else if (spec.startsWith("any but ")) {
      const excluded = spec
        .slice("any but ".length)
        .split(",")
        .map((name) => name.trim());
      for (const name of excluded) assert.ok(names.includes(name), `${DOC}: layer "${row[nameAt]}" excludes unknown layer "${name}"`);
      mayImport = names.filter((name) => !excluded.includes(name));
    } else mayImport = spec.split(",").map((name) => name.trim());
    for (const name of mayImport) assert.ok(names.includes(name), `${DOC}: layer "${row[nameAt]}" may import unknown layer "${name}"`);
    return { name: row[nameAt], patterns, mayImport: new Set(mayImport) };
  });
}

const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    "^" +
      glob
        .split(/(\*\*\/?|\*)/)
        .map((part) => (part.startsWith("**") ? ".*" : part === "*" ? "[^/]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
        .join("") +
      "$",
  );

/** A file's layer: the most specific pattern matching it (an exact file, then `*`, then `**`; longer first). */
function layerFinder(layers: readonly Layer[]): (file: string) => Layer | undefined {
  const rank = (pattern: string): number => (pattern.includes("**") ? 2 : pattern.includes("*") ? 1 : 0);
  const ordered = layers
    .flatMap((layer) => layer.patterns.map((pattern) => ({ layer, pattern, regExp: globToRegExp(pattern) })))
    .sort((a, b) => rank(a.pattern) - rank(b.pattern) || b.pattern.length - a.pattern.length);
  return (file) => ordered.find((entry) => entry.regExp.test(file))?.layer;
}

/** Folders that hold no source of the repository: installed packages, build output, scratch output of local runs. */
const NOT_SOURCE = new Set(["node_modules", "lib", "dist", ".bench"]);

/** The repository's .ts files as the working tree has them (read from disk: the unit tier runs where no git is on the PATH). */
function sourceFiles(folder = ""): string[] {
  return readdirSync(path.join(ROOT, folder), { withFileTypes: true })
    .flatMap((entry) => {
      const file = folder === "" ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) return entry.name.startsWith(".") || NOT_SOURCE.has(entry.name) ? [] : sourceFiles(file);
      return entry.isFile() && file.endsWith(".ts") && !file.endsWith(".d.ts") ? [file] : [];
    })
    .sort();
}

const RESOLUTION: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  resolveJsonModule: true,
};

/** Every relative module specifier of a file: import/export from (type-only too), import(), require(), import("…") types. */
function specifiers(file: string, text: string): { specifier: string; line: number }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: { specifier: string; line: number }[] = [];
  const add = (literal: ts.Node | undefined): void => {
    if (literal && (ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal)) && literal.text.startsWith("."))
      found.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require"))
    )
      add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The repository's import graph: one entry per importing file and imported file (the first such import). */
function readImports(files: readonly string[]): { imports: Import[]; unresolved: string[] } {
  const imports = new Map<string, Import>();
  const unresolved: string[] = [];
  for (const from of files) {
    const absolute = path.join(ROOT, from);
    for (const { specifier, line } of specifiers(from, readFileSync(absolute, "utf8"))) {
      const resolved = ts.resolveModuleName(specifier, absolute, RESOLUTION, ts.sys).resolvedModule?.resolvedFileName;
      if (resolved === undefined) {
        unresolved.push(`${from}:${line} imports "${specifier}", which resolves to no file`);
        continue;
      }
      const to = path.relative(ROOT, resolved).split(path.sep).join("/");
      if (to.startsWith("..") || to.startsWith("node_modules/") || !to.endsWith(".ts")) continue;
      const key = `${from} → ${to}`;
      if (!imports.has(key)) imports.set(key, { from, to, specifier, line });
    }
  }
  return { imports: [...imports.values()], unresolved };
}

/** The strongly connected sets of more than one file (or a file importing itself): each holds a cycle. */
function cyclicSets(edges: readonly Import[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sets: string[][] = [];
  let counter = 0;
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) === index.get(node)) {
      const set: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        set.push(member);
      } while (member !== node);
      if (set.length > 1 || (next.get(node) ?? []).includes(node)) sets.push(set.sort());
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) connect(node);
  return sets;
}

/** A shortest cycle through `start` within `set`, as its files (start first and last). */
function cycleThrough(start: string, set: readonly string[], edges: readonly Import[]): string[] {
  const members = new Set(set);
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const { to } of edges.filter((edge) => edge.from === node && members.has(edge.to))) {
      if (to === start) {
        const between: string[] = [];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at)) between.unshift(at);
        return [start, ...between, start];
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start];
}

interface Graph {
  readonly layerOf: (file: string) => Layer | undefined;
  readonly files: readonly string[];
  readonly imports: readonly Import[];
  readonly unresolved: readonly string[];
}

describe(`architecture: the layers of ${DOC}`, () => {
  // Read in a hook, not while mocha collects suites: a broken table fails these tests, not the whole run.
  let graph: Graph;
  before(() => {
    const files = sourceFiles();
    graph = { layerOf: layerFinder(readLayers()), files, ...readImports(files) };
  });
  const known = new Set(KNOWN_VIOLATIONS.map(([from, to]) => `${from} → ${to}`));
  const isKnown = (edge: Import): boolean => known.has(`${edge.from} → ${edge.to}`);
  const rule = (layer: Layer): string =>
    `${layer.name} may import ${layer.mayImport.size === 0 ? "nothing else" : [...layer.mayImport].join(", ")}`;
  const breaksLayers = (edge: Import): string | undefined => {
    const from = graph.layerOf(edge.from);
    const to = graph.layerOf(edge.to);
    if (from === undefined || to === undefined || from === to || from.mayImport.has(to.name)) return undefined;
    return `${edge.from}:${edge.line} imports "${edge.specifier}" (${to.name}); ${rule(from)}`;
  };

  it("maps every .ts file to a layer, and every relative import resolves", () => {
    assert.ok(graph.files.length > 100, `only ${graph.files.length} .ts files found`);
    const unmapped = graph.files.filter((file) => graph.layerOf(file) === undefined);
    if (unmapped.length > 0) assert.fail(`files in no row of ${DOC}'s layer table:\n  ${unmapped.join("\n  ")}`);
    if (graph.unresolved.length > 0) assert.fail(graph.unresolved.join("\n"));
  });

  it("imports only what the importing file's layer may import", () => {
    const broken = graph.imports.filter((edge) => !isKnown(edge)).flatMap((edge) => breaksLayers(edge) ?? []);
    if (broken.length > 0) assert.fail(`imports that break ${DOC}'s layers:\n  ${broken.join("\n  ")}`);
  });

  it("has no import cycle, type-only imports included", () => {
    const edges = graph.imports.filter((edge) => !isKnown(edge));
    const cycles = cyclicSets(edges).map((set) => {
      const cycle = cycleThrough(set[0], set, edges);
      return `${cycle.join(" → ")}${set.length > cycle.length - 1 ? ` (within ${set.length} files bound in cycles: ${set.join(", ")})` : ""}`;
    });
    if (cycles.length > 0) assert.fail(`import cycles:\n  ${cycles.join("\n  ")}`);
  });

  it("lists in KNOWN_VIOLATIONS only imports that still exist and still break a rule", () => {
    // An import is on a cycle when both its files are in one strongly connected set.
    const sets = cyclicSets(graph.imports);
    const stale = KNOWN_VIOLATIONS.flatMap(([from, to]) => {
      const edge = graph.imports.find((each) => each.from === from && each.to === to);
      if (edge === undefined) return [`${from} → ${to}: no such import any more; remove the entry`];
      const onCycle = sets.some((set) => set.includes(from) && set.includes(to));
      return breaksLayers(edge) === undefined && !onCycle ? [`${from} → ${to}: breaks no rule any more; remove the entry`] : [];
    });
    if (stale.length > 0) assert.fail(`stale KNOWN_VIOLATIONS entries:\n  ${stale.join("\n  ")}`);
  });
});
