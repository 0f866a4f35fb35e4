import * as path from "node:path";
import * as esbuild from "esbuild";
import * as pulumi from "@pulumi/pulumi";

/** Which handler factory to wrap and which user module (domain or projection) to hand it. */
export interface HandlerBundleSpec {
  /** The file under handlers/ whose factory builds the Lambda handler. */
  kind: "dispatcher" | "projector" | "commandApi";
  /** Path of the user module (absolute, or relative to the Pulumi program's working directory). */
  module: string;
  /** The module's export holding the domain or projection. */
  exportName: string;
}

const FACTORIES = { dispatcher: "createDispatcherHandler", projector: "createProjectorHandler", commandApi: "createCommandApiHandler" } as const;
const cache = new Map<string, string>();

/**
 * Bundles a handler with esbuild into one CommonJS file exporting `handler`, the pinned AWS SDK
 * included: the function runs the SDK the tests ran, not whichever copy the Lambda runtime ships.
 * No closure serialization. The output depends on the sources only, never on where the checkout
 * is, so the same code gives the same archive on every machine and `pulumi up` redeploys nothing.
 */
export function bundleHandler(spec: HandlerBundleSpec): string {
  const modulePath = path.resolve(spec.module);
  const key = `${spec.kind}|${modulePath}|${spec.exportName}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const factoryPath = path.join(__dirname, "..", "handlers", spec.kind);
  const entry = [
    `import { ${FACTORIES[spec.kind]} as factory } from ${JSON.stringify(factoryPath)};`,
    `import * as userModule from ${JSON.stringify(modulePath)};`,
    `const exported = (userModule as Record<string, unknown>)[${JSON.stringify(spec.exportName)}];`,
    `if (!exported) throw new Error(${JSON.stringify(`${path.basename(modulePath)} has no export "${spec.exportName}"`)});`,
    `export const handler = factory(exported as never);`,
  ].join("\n");
  const result = esbuild.buildSync({
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
  const code = result.outputFiles[0].text;
  cache.set(key, code);
  return code;
}

/** The bundle as the Lambda code archive: `index.js`, handler `index.handler`. */
export const handlerArchive = (spec: HandlerBundleSpec): pulumi.asset.AssetArchive =>
  new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleHandler(spec)) });
