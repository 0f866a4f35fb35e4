/**
 * What the local stage, the tests and the bench need on this machine, checked before anything
 * starts, so a missing piece is one clear message instead of a stack trace from deep inside.
 */
import { spawnSync } from "node:child_process";

const MIN_NODE = [20, 9] as const;
const MIN_JAVA = 17;

/** Install lines for a Java runtime, by platform. */
const INSTALL_JAVA = [
  "  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless",
  "  macOS:         brew install openjdk@17   (then follow brew's note to put it on the PATH)",
].join("\n");

/** The problems found, each with how to fix it; empty when everything is there. */
export function missingPrerequisites(): string[] {
  const problems: string[] = [];
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    problems.push(
      `Node.js ${MIN_NODE.join(".")} or later is needed; this is ${process.versions.node}. Install it from https://nodejs.org or with nvm: nvm install 20`,
    );
  }
  const java = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (java.error || java.status !== 0) {
    problems.push(
      `Java ${MIN_JAVA} or later is needed to run DynamoDB Local (AWS's emulator, used by the local stage, the tests and the bench), and no \`java\` is on the PATH.\n${INSTALL_JAVA}`,
    );
  } else {
    // `java -version` prints e.g. `openjdk version "17.0.12"` or `java version "1.8.0_392"` on stderr.
    const found = /version "(\d+)(?:\.(\d+))?/.exec(`${java.stderr}${java.stdout}`);
    const version = found ? (found[1] === "1" ? Number(found[2]) : Number(found[1])) : undefined;
    if (version !== undefined && version < MIN_JAVA)
      problems.push(
        `Java ${MIN_JAVA} or later is needed to run DynamoDB Local; the \`java\` on the PATH is version ${version}.\n${INSTALL_JAVA}`,
      );
  }
  return problems;
}

/**
 * Exits with code 2 and the problems when something is missing. Also silences, deliberately, the
 * AWS SDK's notice that its releases after January 2027 need Node 22: the SDK is pinned exactly in
 * the lockfile (a version that supports Node 20, what these machines run), and moving to a newer
 * SDK comes with moving to Node 22. The deployed functions run on nodejs22.x.
 */
export function requirePrerequisites(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const problems = missingPrerequisites();
  if (problems.length === 0) return;
  process.stderr.write(
    `Cannot start: ${problems.length === 1 ? "a prerequisite is" : "prerequisites are"} missing.\n\n${problems.join("\n\n")}\n`,
  );
  process.exit(2);
}
