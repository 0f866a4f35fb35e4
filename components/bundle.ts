import { createRequire } from "node:module";
import * as path from "node:path";
import * as esbuild from "esbuild";
import * as pulumi from "@pulumi/pulumi";

/** Which handler factory to wrap and which user module (domain or projection) to hand it. */
export interface HandlerBundleSpec {
  /** The file under handlers/ whose factory builds the Lambda handler. */
  readonly kind: "dispatcher" | "projector" | "commandApi" | "commandApiDax" | "reactor";
  /** Path of the user module (absolute, or relative to the Pulumi program's working directory). */
  readonly module: string;
  /** The module's export holding the domain or projection. */
  readonly exportName: string;
  /**
   * A second user module's export handed to the factory after the definition, as its fourth argument
   * (the clients and settings before it are left to the handler: the environment's): the dispatcher's
   * publications. Default none.
   */
  readonly extra?: { readonly module: string; readonly exportName: string };
}

const FACTORIES = {
  dispatcher: "createDispatcherHandler",
  projector: "createProjectorHandler",
  commandApi: "createCommandApiHandler",
  commandApiDax: "createDaxCommandApiHandler",
  reactor: "createReactorHandler",
} as const;
const cache = new Map<string, HandlerBundle>();
let loadOnly = false;

/**
 * Makes the components take their modules' definitions by loading them in this process instead of
 * bundling them (no archive is built): what the local stage does when it runs a program's pieces
 * here, where the handlers run from source. Off by default; clears the bundles kept so far.
 */
export function loadModulesWithoutBundling(on: boolean): void {
  loadOnly = on;
  cache.clear();
}

/** A bundle's code and the user module's export it wraps, as the bundle itself loaded it. */
export interface HandlerBundle {
  code: string;
  /** The domain or projection, checked by the handler's factory when the bundle loaded. */
  definition: unknown;
  /** The `extra` export, when the spec names one, as the bundle loaded it. */
  extra?: unknown;
}

/** The `name` of the domain (or other definition) a bundle wraps, as the bundle loaded it. */
export function definitionName(spec: HandlerBundleSpec): string | undefined {
  const name = (bundleHandler(spec).definition as { name?: unknown } | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}

/**
 * Bundles a handler with esbuild into one CommonJS file exporting `handler`, the pinned AWS SDK
 * included: the function runs the SDK the tests ran, not whichever copy the Lambda runtime ships.
 * No closure serialization. The output depends on the sources only, never on where the checkout
 * is, so the same code gives the same archive on every machine and `pulumi up` redeploys nothing.
 */
export function bundleHandler(spec: HandlerBundleSpec): HandlerBundle {
  const modulePath = path.resolve(spec.module);
  const extraPath = spec.extra ? path.resolve(spec.extra.module) : undefined;
  const key = `${spec.kind}|${modulePath}|${spec.exportName}|${extraPath ?? ""}|${spec.extra?.exportName ?? ""}`;
  const cached = cache.get(key);
  if (cached) return cached;
  if (loadOnly) {
    const loaded = {
      code: "/* run from source by the local stage, not bundled */",
      definition: exportOf(modulePath, spec.exportName),
      extra: spec.extra ? exportOf(extraPath!, spec.extra.exportName) : undefined,
    };
    cache.set(key, loaded);
    return loaded;
  }
  const factoryPath = path.join(__dirname, "..", "handlers", `${spec.kind}Handler`);
  const entry = [
    `import { ${FACTORIES[spec.kind]} as factory } from ${JSON.stringify(factoryPath)};`,
    `import * as userModule from ${JSON.stringify(modulePath)};`,
    `const exported = (userModule as Record<string, unknown>)[${JSON.stringify(spec.exportName)}];`,
    `if (!exported) throw new Error(${JSON.stringify(`${path.basename(modulePath)} has no export "${spec.exportName}"`)});`,
    ...(spec.extra && extraPath
      ? [
          `import * as extraModule from ${JSON.stringify(extraPath)};`,
          `const extra = (extraModule as Record<string, unknown>)[${JSON.stringify(spec.extra.exportName)}];`,
          `if (extra === undefined) throw new Error(${JSON.stringify(`${path.basename(extraPath)} has no export "${spec.extra.exportName}"`)});`,
          `export const handler = factory(exported as never, undefined, undefined, extra as never);`,
          `export const extraDefinition = extra;`,
        ]
      : [`export const handler = factory(exported as never);`]),
    `export const definition = exported;`,
  ].join("\n");
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] };
  try {
    result = esbuild.buildSync({
      stdin: { contents: entry, loader: "ts", resolveDir: path.dirname(modulePath), sourcefile: `${spec.kind}-entry.ts` },
      bundle: true,
      write: false,
      platform: "node",
      target: "node20",
      format: "cjs",
      // Minified whitespace and syntax drop the path comments esbuild writes; names stay readable in stack traces.
      minifyWhitespace: true,
      minifySyntax: true,
      keepNames: true,
      // Paths esbuild keeps (e.g. in `__filename` shims) are relative to the package, not to the machine.
      absWorkingDir: path.join(__dirname, ".."),
      legalComments: "none",
      logLevel: "silent",
    });
  } catch (error) {
    throw new Error(`the ${spec.kind} bundle of ${spec.module} does not build: ${(error as Error).message}`, { cause: error });
  }
  const code = result.outputFiles[0].text;
  const loaded = loadBundle(code, spec);
  const bundle = { code, definition: loaded.definition, extra: loaded.extraDefinition };
  cache.set(key, bundle);
  return bundle;
}

/**
 * Loads the bundle as Lambda will, when the program runs: a wrong export, a module that throws
 * when imported, or a domain or projection its factory refuses fails `pulumi up` with the reason,
 * not the function's first cold start.
 */
function loadBundle(code: string, spec: HandlerBundleSpec): { definition?: unknown; extraDefinition?: unknown } {
  const module = { exports: {} as { handler?: unknown; definition?: unknown; extraDefinition?: unknown } };
  try {
    new Function("module", "exports", "require", "__filename", "__dirname", code)(
      module,
      module.exports,
      createRequire(__filename),
      "/var/task/index.js",
      "/var/task",
    );
  } catch (error) {
    const given = spec.extra ? ` (with ${spec.extra.module} export "${spec.extra.exportName}")` : "";
    throw new Error(`${spec.module} export "${spec.exportName}"${given} cannot be the ${spec.kind}'s: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof module.exports.handler !== "function")
    throw new Error(`the ${spec.kind} bundle of ${spec.module} exports no handler function`);
  return module.exports;
}

/** A module's export, loaded in this process. */
function exportOf(modulePath: string, exportName: string): unknown {
  const exported = (createRequire(__filename)(modulePath) as Record<string, unknown>)[exportName];
  if (exported === undefined) throw new Error(`${path.basename(modulePath)} has no export "${exportName}"`);
  return exported;
}

/** The bundle as the Lambda code archive: `index.js`, handler `index.handler`. */
export const handlerArchive = (spec: HandlerBundleSpec): pulumi.asset.AssetArchive =>
  new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleHandler(spec).code) });
