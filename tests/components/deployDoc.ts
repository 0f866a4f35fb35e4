import { NAME_RULES, NameRule, PREFIX_SUFFIX_LENGTH } from "../../components/names";
import { SERVICE_PERMISSIONS } from "../../components/servicePermissions";

/** A documentation link named for its page. */
const link = (url: string) =>
  `[${url
    .split("/")
    .pop()!
    .replace(/\.html(#.*)?$/, "")}](${url})`;
const cell = (text: string) => text.replace(/\|/g, "\\|");

/** docs/deploy.md's permission table, from the data the components hold. */
export function permissionTable(): string {
  return [
    "| Who | Does | On | When | Granted by | Documentation |",
    "| --- | --- | --- | --- | --- | --- |",
    ...SERVICE_PERMISSIONS.map(
      (row) =>
        `| ${cell(row.principal)} | ${row.actions.map((action) => `\`${action}\``).join(", ")} | ${cell(row.resource)} | ${cell(row.when)} | ${cell(row.grantedBy)} | ${link(row.source)} |`,
    ),
  ].join("\n");
}

/** docs/deploy.md's naming table, from the rules names.ts checks. */
export function namingTable(): string {
  return [
    "| Resource | At most | Characters and rules | A derived name goes to | Documentation |",
    "| --- | --- | --- | --- | --- |",
    ...Object.values(NAME_RULES).map((rule: NameRule) => {
      const rules = [
        `\`${cell(rule.char.source)}\``,
        ...(rule.lowercase ? ["lowercase"] : []),
        ...(rule.startsWithLetter ? ["a letter first"] : []),
        ...(rule.startsAlphanumeric ? ["a letter or digit first and last"] : []),
        ...(rule.noDoubleHyphen ? ["no `--`, no trailing `-`"] : []),
        ...(rule.noDoublePeriod ? ["no `..`"] : []),
        ...(rule.reservedPrefixes ? [`not ${rule.reservedPrefixes.map((prefix) => `\`${prefix}\``).join(", ")} first`] : []),
      ];
      const derived = rule.derived.prefix
        ? `\`${rule.derived.argument}\` (the provider adds ${PREFIX_SUFFIX_LENGTH})`
        : `\`${rule.derived.argument}\` (exact)`;
      return `| ${rule.label} | ${rule.maxLength} | ${rules.join("; ")} | ${derived} | ${link(rule.source)} |`;
    }),
  ].join("\n");
}

if (require.main === module) console.log(`${permissionTable()}\n\n${namingTable()}`);
