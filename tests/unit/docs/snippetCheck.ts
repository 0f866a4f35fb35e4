/**
 * Type-checks the ```ts blocks of markdown pages as a user would write them: importing the package
 * by its public names (`serverless-event-ledger`, `…/runtime`, `…/runtime/aws`, `…/lambda`), mapped
 * to this repository's sources with `paths`, all pages in one TypeScript program (one pass).
 *
 * A page is one module: its blocks are concatenated in order, so a later block uses what an earlier
 * one declared. A block whose first line is `// file: <path>` is instead a file of its own at that
 * path in the page's folder (a project of several files that import each other by relative path).
 * A block whose first line is `// not compiled: <reason>` is skipped.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..", "..", "..");
/** Where the snippet files live in the program: inside the repository, so packages resolve from its node_modules. */
const SNIPPETS_DIR = path.join(ROOT, ".snippets");

export interface Page {
  /** The page's path from the repository root, as a failure names it. */
  readonly name: string;
  readonly text: string;
}

/** One ```ts block: its code and the page line its first code line is on. */
export interface Block {
  readonly code: string;
  readonly line: number;
}

/** A file of the program made of snippets, and which page line each of its lines came from. */
interface SnippetFile {
  readonly fileName: string;
  readonly text: string;
  readonly page: string;
  /** Page line (1-based) of each line of `text`; 0 for a line the check added. */
  readonly lines: number[];
}

const NOT_COMPILED = /^\/\/ not compiled:(.*)$/;
const OWN_FILE = /^\/\/ file: (\S+\.ts)\s*$/;

/** The ```ts (or ```typescript) blocks of a markdown page, in order. */
export function tsBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let index = 0; index < lines.length; index++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[index])) continue;
    const start = index + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`a \`\`\`ts block at line ${index + 1} is never closed`);
    blocks.push({ code: lines.slice(start, end).join("\n"), line: start + 1 });
    index = end;
  }
  return blocks;
}

/** The program's files for one page, or the problems of its markers. */
function pageFiles(page: Page, problems: string[]): SnippetFile[] {
  const folder = path.join(SNIPPETS_DIR, page.name.replace(/[^A-Za-z0-9]+/g, "_"));
  const module: { text: string[]; lines: number[] } = { text: [], lines: [] };
  const files: SnippetFile[] = [];
  for (const block of tsBlocks(page.text)) {
    const [first, ...rest] = block.code.split("\n");
    const skip = NOT_COMPILED.exec(first);
    if (skip) {
      if (skip[1].trim() === "") problems.push(`${page.name}:${block.line}: \`// not compiled:\` needs its reason`);
      continue;
    }
    const own = OWN_FILE.exec(first);
    if (own) {
      const fileName = path.join(folder, own[1]);
      if (!fileName.startsWith(folder + path.sep))
        problems.push(`${page.name}:${block.line}: \`// file: ${own[1]}\` leaves the page's folder`);
      else files.push({ fileName, text: rest.join("\n"), page: page.name, lines: rest.map((_, offset) => block.line + 1 + offset) });
      continue;
    }
    block.code.split("\n").forEach((code, offset) => {
      module.text.push(code);
      module.lines.push(block.line + offset);
    });
  }
  if (module.text.length > 0) {
    // A page without imports would otherwise be a script, its names shared with every other page.
    files.push({
      fileName: path.join(folder, "page.ts"),
      text: [...module.text, "export {};"].join("\n"),
      page: page.name,
      lines: [...module.lines, 0],
    });
  }
  return files;
}

/** A folder and each folder above it up to the snippets' own. */
const ancestors = (folder: string): string[] =>
  folder.startsWith(SNIPPETS_DIR) && folder !== SNIPPETS_DIR ? [folder, ...ancestors(path.dirname(folder))] : [folder];

/** The package's public names mapped to the sources they are built from (package.json `exports`). */
function packagePaths(): Record<string, string[]> {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    name: string;
    exports: Record<string, string | { types?: string }>;
  };
  const paths: Record<string, string[]> = {};
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const types = typeof target === "string" ? target : target.types;
    if (!types || !types.endsWith(".d.ts")) continue;
    const source = types.replace(/^\.\/lib\//, "").replace(/\.d\.ts$/, ".ts");
    paths[subpath === "." ? manifest.name : `${manifest.name}/${subpath.replace(/^\.\//, "")}`] = [source];
  }
  return paths;
}

/**
 * Every type error of the pages' snippets, as `<page>:<line>: TS<code> <message>`, from one
 * program. Empty when they all compile.
 */
export function checkSnippets(pages: readonly Page[]): string[] {
  const problems: string[] = [];
  const files = pages.flatMap((page) => pageFiles(page, problems));
  const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const compilerOptions: ts.CompilerOptions = {
    ...options,
    noEmit: true,
    // A snippet shows a piece of a program: what it declares need not be used in it.
    noUnusedLocals: false,
    types: ["node"],
    baseUrl: ROOT,
    paths: packagePaths(),
  };
  const byName = new Map(files.map((file) => [file.fileName, file]));
  const host = ts.createCompilerHost(compilerOptions);
  const folders = new Set(files.flatMap((file) => ancestors(path.dirname(file.fileName))));
  const { fileExists, directoryExists, readFile, getSourceFile } = host;
  host.fileExists = (fileName) => byName.has(fileName) || fileExists.call(host, fileName);
  host.directoryExists = (directory) =>
    folders.has(directory) || (directoryExists?.call(host, directory) ?? ts.sys.directoryExists(directory));
  host.readFile = (fileName) => byName.get(fileName)?.text ?? readFile.call(host, fileName);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const snippet = byName.get(fileName);
    return snippet
      ? ts.createSourceFile(fileName, snippet.text, languageVersion, true)
      : getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate);
  };
  const program = ts.createProgram(
    files.map((file) => file.fileName),
    compilerOptions,
    host,
  );
  for (const file of files) {
    const source = program.getSourceFile(file.fileName)!;
    for (const diagnostic of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const line = diagnostic.start === undefined ? 0 : source.getLineAndCharacterOfPosition(diagnostic.start).line;
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
      problems.push(`${file.page}:${file.lines[line] ?? 0}: TS${diagnostic.code} ${message}`);
    }
  }
  return problems;
}
