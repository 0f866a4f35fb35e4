import * as path from "node:path";
import * as esbuild from "esbuild";
import * as pulumi from "@pulumi/pulumi";

/** Which handler factory to wrap and which user module (domain or projection) to hand it. */
export interface HandlerBundleSpec {
  /** `dispatcher` or `projector`: the file under handlers/ whose factory builds the Lambda handler. */
  kind: "dispatcher" | "projector";
  /** Path of the user module (absolute, or relative to the Pulumi program's working directory). */
  module: string;
  /** The module's export holding the domain or projection. */
  exportName: string;
}

const FACTORIES = { dispatcher: "createDispatcherHandler", projector: "createProjectorHandler" } as const;
const cache = new Map<string, string>();

/**
 * Bundles a handler with esbuild into one CommonJS file exporting `handler`. The AWS SDK v3
 * stays external: the Node.js Lambda runtime provides it. No closure serialization.
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
    `if (!exported) throw new Error(${JSON.stringify(`${modulePath} has no export "${spec.exportName}"`)});`,
    `export const handler = factory(exported as never);`,
  ].join("\n");
  const result = esbuild.buildSync({
    stdin: { contents: entry, loader: "ts", resolveDir: path.dirname(modulePath), sourcefile: `${spec.kind}-entry.ts` },
    bundle: true,
    write: false,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["@aws-sdk/*"],
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
