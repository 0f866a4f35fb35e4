/**
 * npm run reference: writes docs/reference.md from the package's entry points with the TypeScript
 * compiler API: every component class `components/index.ts` exports (any class extending Pulumi's
 * ComponentResource, so a new component is picked up with no change here), its arguments (their
 * type, whether required, the default and the effect, from the TSDoc), the argument types they
 * reference, its public readonly outputs, then the functions and classes of the runtime entries.
 * `--check` only says whether docs/reference.md is current (exit 1 when stale).
 *
 * The default of an argument is the sentence of its TSDoc that starts with "Default"; the rest is
 * its effect. An argument without TSDoc, or optional without a default, is a problem the
 * reference test reports.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..");
export const REFERENCE_PATH = path.join(ROOT, "docs", "reference.md");

/** An entry point as users import it, and its source file (relative to the sources' root). */
export interface Entry {
  readonly name: string;
  readonly file: string;
}

/** What the reference documents: the components' entry, and the runtime entries after it. */
export interface ReferenceSources {
  /** The folder the entries' files are relative to; its tsconfig.json gives the compiler options. */
  readonly root: string;
  readonly components: Entry;
  readonly runtime: readonly Entry[];
}

/** This package's entry points. */
export const PACKAGE_SOURCES: ReferenceSources = {
  root: ROOT,
  components: { name: "serverless-event-ledger", file: "components/index.ts" },
  runtime: [
    { name: "serverless-event-ledger/runtime", file: "handlers/runtime/index.ts" },
    { name: "serverless-event-ledger/runtime/aws", file: "handlers/runtime/aws/index.ts" },
    { name: "serverless-event-ledger/lambda", file: "handlers/index.ts" },
  ],
};

/** The generated page, and what the TSDoc it was generated from lacks. */
export interface Reference {
  readonly markdown: string;
  /** One line per argument without TSDoc, or optional without a sentence starting "Default". */
  readonly problems: string[];
}

/** One argument as a table row: `archive.retentionDays` for a member of an inline object type. */
interface ArgRow {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly default?: string;
  readonly effect: string;
}

/** An interface, type alias or inline object type the reference documents in its own section. */
interface ArgType {
  readonly name: string;
  readonly doc: string;
  /** For a type alias: its definition. */
  readonly definition?: string;
  readonly rows: ArgRow[];
  /** Interfaces it extends: their arguments are its arguments too. */
  readonly bases: string[];
}

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();
const cell = (text: string): string => text.replace(/\|/g, "\\|");
const anchor = (name: string): string =>
  `#${name
    .toLowerCase()
    .replace(/[^a-z0-9_ -]/g, "")
    .replace(/ /g, "-")}`;

/** The doc comment of a symbol as written: its paragraphs, lists and code blocks kept. */
function docBlock(symbol: ts.Symbol, checker: ts.TypeChecker): string {
  return ts
    .displayPartsToString(symbol.getDocumentationComment(checker))
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .trim();
}

/** The doc comment of a symbol on one line, for a table cell. */
const docOf = (symbol: ts.Symbol, checker: ts.TypeChecker): string => oneLine(docBlock(symbol, checker));

/** The first paragraph of a doc comment, on one line: up to a blank line, a list or a code block. */
const firstParagraph = (doc: string): string => {
  const lines = doc.split("\n");
  const end = lines.findIndex((line) => line.trim() === "" || /^\s*(- |```)/.test(line));
  return oneLine(lines.slice(0, end < 0 ? lines.length : end).join(" "));
};

/**
 * The TSDoc split into its default (the sentence starting "Default", without that word) and the
 * rest (its effect). A sentence ends at a period followed by a space and a capital, or at the end.
 */
export function splitDefault(doc: string): { default?: string; effect: string } {
  const start = doc.search(/(^|(?<=[.!?] ))Default\b/);
  if (start < 0) return { effect: doc };
  const rest = doc.slice(start);
  const end = rest.search(/[.!?] (?=[A-Z`"])/);
  const sentence = end < 0 ? rest : rest.slice(0, end + 1);
  const value = sentence
    .replace(/^Default\b:?\s*/, "")
    .replace(/\.$/, "")
    .trim();
  const effect = oneLine(`${doc.slice(0, start)} ${rest.slice(sentence.length)}`);
  return { default: value, effect };
}

/** The program over the entry points, with the repository's compiler options. */
function entryProgram(sources: ReferenceSources): ts.Program {
  const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const files = [sources.components, ...sources.runtime].map((entry) => path.join(sources.root, entry.file));
  return ts.createProgram(files, { ...options, noEmit: true });
}

/** The exports of an entry file, each resolved to the symbol it re-exports. */
function exportsOf(program: ts.Program, root: string, file: string): ts.Symbol[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(path.join(root, file));
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`tools/reference: ${file} is not a module the program holds`);
  return checker
    .getExportsOfModule(module)
    .map((symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol));
}

/** Whether a class extends, directly or not, Pulumi's ComponentResource. */
function isComponent(declaration: ts.ClassDeclaration, checker: ts.TypeChecker): boolean {
  const queue = [checker.getTypeAtLocation(declaration)];
  while (queue.length > 0) {
    const type = queue.pop()!;
    for (const base of checker.getBaseTypes(type as ts.InterfaceType)) {
      if (base.symbol?.name === "ComponentResource") return true;
      queue.push(base);
    }
  }
  return false;
}

/** A declaration of this repository (not of a dependency's declarations). */
const isOwn = (declaration: ts.Declaration): boolean => {
  const file = declaration.getSourceFile();
  return !file.isDeclarationFile && !file.fileName.includes("/node_modules/");
};

/** Builds the reference's sections, collecting the argument types reached from the components. */
class ReferenceWriter {
  private readonly checker: ts.TypeChecker;
  private readonly componentNames = new Set<string>();
  /** The components' own argument interfaces: documented in their component's section. */
  private readonly componentArgs = new Set<string>();
  private readonly argTypes = new Map<string, ArgType | undefined>();
  private readonly argTypeOrder: string[] = [];
  readonly problems: string[] = [];

  constructor(
    private readonly program: ts.Program,
    private readonly sources: ReferenceSources,
  ) {
    this.checker = program.getTypeChecker();
  }

  write(): string {
    const exported = exportsOf(this.program, this.sources.root, this.sources.components.file);
    const components = exported
      .map((symbol) => symbol.valueDeclaration)
      .filter((declaration): declaration is ts.ClassDeclaration => !!declaration && ts.isClassDeclaration(declaration))
      .filter((declaration) => isOwn(declaration) && isComponent(declaration, this.checker));
    for (const component of components) this.componentNames.add(component.name!.text);
    const componentSections = components.flatMap((component) => this.componentSection(component));
    // Exported argument types no component references yet are documented too.
    for (const symbol of exported) this.reachType(symbol);
    const typeSections = this.drainArgTypes();
    return [
      "# Reference",
      "",
      "<!-- Generated by `npm run reference` (tools/reference.ts) from the TSDoc of the package's entry points: edit the TSDoc, not this page. -->",
      "",
      `The components of \`${this.sources.components.name}\`, with every argument (its type, whether it is required, its default and its`,
      "effect) and every output, then the argument types they share, then the functions and classes of the runtime entries.",
      "",
      `Components: ${components.map((component) => `[${component.name!.text}](${anchor(component.name!.text)})`).join(", ")}.`,
      "",
      ...componentSections,
      "## Argument types",
      "",
      ...typeSections,
      ...this.sources.runtime.flatMap((entry) => this.runtimeSection(entry)),
    ].join("\n");
  }

  private componentSection(declaration: ts.ClassDeclaration): string[] {
    const name = declaration.name!.text;
    const symbol = this.checker.getSymbolAtLocation(declaration.name!)!;
    const constructor = declaration.members.find(ts.isConstructorDeclaration);
    const argsParameter = constructor?.parameters[1];
    const lines = [`## ${name}`, "", docBlock(symbol, this.checker), ""];
    if (constructor) {
      const parameters = constructor.parameters.map((parameter) => this.parameterText(parameter)).join(", ");
      lines.push(`\`new ${name}(${parameters})\``, "");
    }
    const argsType = argsParameter?.type;
    if (argsType && ts.isTypeReferenceNode(argsType)) {
      const argsName = argsType.typeName.getText();
      this.componentArgs.add(argsName);
      const described = this.describeNamed(argsType.typeName);
      if (described) lines.push(`### Arguments (\`${argsName}\`)`, "", ...this.argTable(described));
    }
    const outputs = declaration.members.filter(
      (member): member is ts.PropertyDeclaration =>
        ts.isPropertyDeclaration(member) &&
        !!member.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ReadonlyKeyword) &&
        !member.modifiers?.some(
          (modifier) => modifier.kind === ts.SyntaxKind.PrivateKeyword || modifier.kind === ts.SyntaxKind.ProtectedKeyword,
        ) &&
        !ts.isPrivateIdentifier(member.name),
    );
    if (outputs.length > 0) {
      lines.push("### Outputs", "", "| Output | Type | Description |", "| --- | --- | --- |");
      for (const output of outputs) {
        const outputSymbol = this.checker.getSymbolAtLocation(output.name)!;
        const type = output.type ? oneLine(output.type.getText()) : this.checker.typeToString(this.checker.getTypeAtLocation(output));
        const optional = output.questionToken ? " (may be undefined)" : "";
        lines.push(
          `| \`${output.name.getText()}\` | ${this.typeCell(type)} | ${cell(docOf(outputSymbol, this.checker) + optional).trim()} |`,
        );
      }
      lines.push("");
    }
    return lines;
  }

  private parameterText(parameter: ts.ParameterDeclaration): string {
    const optional = parameter.questionToken || parameter.initializer ? "?" : "";
    return `${parameter.name.getText()}${optional}: ${parameter.type ? oneLine(parameter.type.getText()) : "unknown"}`;
  }

  /** The interface or type alias a type name refers to, described; undefined for anything else. */
  private describeNamed(typeName: ts.EntityName): ArgType | undefined {
    const declaration = this.declarationOf(typeName);
    return declaration ? this.describe(declaration) : undefined;
  }

  private declarationOf(typeName: ts.EntityName): ts.InterfaceDeclaration | ts.TypeAliasDeclaration | undefined {
    let symbol = this.checker.getSymbolAtLocation(typeName);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    const declaration = symbol?.declarations?.find(
      (candidate) => ts.isInterfaceDeclaration(candidate) || ts.isTypeAliasDeclaration(candidate),
    );
    return declaration && this.isArgumentType(declaration) ? (declaration as ts.InterfaceDeclaration | ts.TypeAliasDeclaration) : undefined;
  }

  private describe(declaration: ts.InterfaceDeclaration | ts.TypeAliasDeclaration): ArgType {
    const name = declaration.name.text;
    const symbol = this.checker.getSymbolAtLocation(declaration.name)!;
    const doc = docBlock(symbol, this.checker);
    if (ts.isTypeAliasDeclaration(declaration)) {
      this.reachTypesIn(declaration.type);
      return { name, doc, definition: oneLine(declaration.type.getText()), rows: [], bases: [] };
    }
    const bases = (declaration.heritageClauses ?? []).flatMap((clause) => clause.types.map((base) => base.expression.getText()));
    for (const clause of declaration.heritageClauses ?? []) {
      for (const base of clause.types) if (ts.isIdentifier(base.expression)) this.reachName(base.expression);
    }
    const rows = declaration.members.filter(ts.isPropertySignature).flatMap((member) => this.rowsOf(name, member, ""));
    return { name, doc, rows, bases };
  }

  /** The row of one member, and the rows of an inline object type's members after it. */
  private rowsOf(owner: string, member: ts.PropertySignature, prefix: string): ArgRow[] {
    const memberName = `${prefix}${member.name.getText()}`;
    const symbol = this.checker.getSymbolAtLocation(member.name);
    const doc = symbol ? docOf(symbol, this.checker) : "";
    const required = !member.questionToken;
    const { default: fallback, effect } = splitDefault(doc);
    if (doc === "") this.problems.push(`${owner}.${memberName} has no TSDoc`);
    else if (!required && fallback === undefined)
      this.problems.push(`${owner}.${memberName} is optional but its TSDoc states no default ("Default ...")`);
    const type = member.type;
    const inline = type && ts.isTypeLiteralNode(type) ? type : undefined;
    if (type && !inline) this.reachTypesIn(type);
    const row: ArgRow = {
      name: memberName,
      type: inline ? "object" : type ? oneLine(type.getText()) : "unknown",
      required,
      default: fallback,
      effect: effect.replace(/^Required\.\s*|\s*Required\.$/, ""),
    };
    const nested = inline
      ? inline.members.filter(ts.isPropertySignature).flatMap((child) => this.rowsOf(owner, child, `${memberName}.`))
      : [];
    return [row, ...nested];
  }

  /** Every interface or type alias of this repository a type node names, queued for its own section. */
  private reachTypesIn(node: ts.Node): void {
    if (ts.isTypeReferenceNode(node)) this.reachName(node.typeName);
    if (ts.isTypeQueryNode(node)) return;
    ts.forEachChild(node, (child) => this.reachTypesIn(child));
  }

  private reachName(typeName: ts.EntityName): void {
    const declaration = this.declarationOf(typeName);
    if (!declaration || this.argTypes.has(declaration.name.text) || this.componentArgs.has(declaration.name.text)) return;
    this.argTypes.set(declaration.name.text, undefined);
    this.argTypeOrder.push(declaration.name.text);
    this.argTypes.set(declaration.name.text, this.describe(declaration));
  }

  /**
   * Whether a type is one of the components' own (declared beside their entry): those are argument
   * types, documented and checked here. A runtime type an argument takes (a domain, a contract) is
   * named, not expanded: the runtime entries document it.
   */
  private isArgumentType(declaration: ts.Declaration): boolean {
    const folder = path.dirname(path.join(this.sources.root, this.sources.components.file));
    return isOwn(declaration) && path.resolve(declaration.getSourceFile().fileName).startsWith(folder + path.sep);
  }

  private reachType(symbol: ts.Symbol): void {
    const declaration = symbol.declarations?.find(
      (candidate) => ts.isInterfaceDeclaration(candidate) || ts.isTypeAliasDeclaration(candidate),
    );
    if (declaration && this.isArgumentType(declaration))
      this.reachName((declaration as ts.InterfaceDeclaration | ts.TypeAliasDeclaration).name);
  }

  private drainArgTypes(): string[] {
    return this.argTypeOrder.flatMap((name) => {
      const type = this.argTypes.get(name);
      if (!type) return [];
      const lines = [`### ${name}`, ""];
      if (type.doc) lines.push(type.doc, "");
      if (type.definition) lines.push(`\`type ${name} = ${type.definition}\``, "");
      else lines.push(...this.argTable(type));
      return lines;
    });
  }

  private argTable(type: ArgType): string[] {
    const lines: string[] = [];
    if (type.rows.length > 0) {
      lines.push("| Argument | Type | Required | Default | Effect |", "| --- | --- | --- | --- | --- |");
      for (const row of type.rows) {
        lines.push(
          `| \`${row.name}\` | ${this.typeCell(row.type)} | ${row.required ? "yes" : "no"} | ${cell(row.default ?? "")} | ${cell(row.effect)} |`,
        );
      }
      lines.push("");
    }
    if (type.bases.length > 0) {
      lines.push(`Also every argument of ${type.bases.map((base) => `[${base}](${anchor(base)})`).join(", ")}.`, "");
    }
    return lines;
  }

  /** A type as code, with the names this page documents as links to their sections. */
  private typeCell(type: string): string {
    const documented = [...this.componentNames, ...this.argTypeOrder].sort((a, b) => b.length - a.length);
    if (documented.length === 0) return `\`${cell(type)}\``;
    const pattern = new RegExp(`\\b(${documented.join("|")})\\b`, "g");
    return type
      .split(pattern)
      .map((piece, index) => (index % 2 === 1 ? `[${piece}](${anchor(piece)})` : piece === "" ? "" : `\`${cell(piece)}\``))
      .join("");
  }

  private runtimeSection(entry: Entry): string[] {
    const symbols = exportsOf(this.program, this.sources.root, entry.file).sort((a, b) => a.name.localeCompare(b.name));
    const functions: string[] = [];
    const classes: string[] = [];
    for (const symbol of symbols) {
      const declaration = symbol.valueDeclaration;
      if (!declaration) continue;
      const doc = firstParagraph(docBlock(symbol, this.checker));
      const signature = this.functionSignature(symbol.name, declaration);
      if (signature) functions.push(`- \`${signature}\`${doc ? `: ${doc}` : ""}`);
      else if (ts.isClassDeclaration(declaration)) classes.push(`| \`${symbol.name}\` | ${cell(firstSentence(doc))} |`);
    }
    const lines = [`## ${entry.name}`, ""];
    if (functions.length > 0) lines.push("Functions:", "", ...functions, "");
    if (classes.length > 0) lines.push("| Class | What it is |", "| --- | --- |", ...classes, "");
    return lines;
  }

  /** `name<T>(parameters): Returned` from the source, for a function or a const holding one. */
  private functionSignature(name: string, declaration: ts.Declaration): string | undefined {
    const fn = ts.isFunctionDeclaration(declaration)
      ? declaration
      : ts.isVariableDeclaration(declaration) &&
          declaration.initializer &&
          (ts.isArrowFunction(declaration.initializer) || ts.isFunctionExpression(declaration.initializer))
        ? declaration.initializer
        : undefined;
    if (!fn) return undefined;
    const typeParameters = fn.typeParameters ? `<${fn.typeParameters.map((parameter) => oneLine(parameter.getText())).join(", ")}>` : "";
    const parameters = fn.parameters.map((parameter) => oneLine(parameter.getText())).join(", ");
    const returned = fn.type ? `: ${oneLine(fn.type.getText())}` : "";
    return `${name}${typeParameters}(${parameters})${returned}`;
  }
}

const firstSentence = (doc: string): string => {
  const end = doc.search(/[.!?] (?=[A-Z`"])/);
  return end < 0 ? doc : doc.slice(0, end + 1);
};

/** The reference as the sources document it today (by default, this package's). */
export function generateReference(sources: ReferenceSources = PACKAGE_SOURCES): Reference {
  const writer = new ReferenceWriter(entryProgram(sources), sources);
  const markdown =
    writer
      .write()
      .replace(/\n{3,}/g, "\n\n")
      .trimEnd() + "\n";
  return { markdown, problems: writer.problems };
}

function main(): void {
  const { markdown, problems } = generateReference();
  for (const problem of problems) console.warn(`warning: ${problem}`);
  const current = existsSync(REFERENCE_PATH) ? readFileSync(REFERENCE_PATH, "utf8") : "";
  if (process.argv.includes("--check")) {
    console.log(current === markdown ? "docs/reference.md is current" : "docs/reference.md is stale: run npm run reference");
    process.exit(current === markdown ? 0 : 1);
  }
  writeFileSync(REFERENCE_PATH, markdown);
  console.log(current === markdown ? "docs/reference.md was already current" : "docs/reference.md written");
}

if (require.main === module) main();
