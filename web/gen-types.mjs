// Writes the TypeScript declarations of every published file, generated from the JSON Schemas by the pinned
// json-schema-to-typescript: `node web/gen-types.mjs [OUT]` (default: picks_export/schemas/types/picks-export.d.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schemas = join(root, "picks_export", "schemas", "json");
// Each schema's root type; the types of its $defs are named by their `title`.
const FILES = [
  ["picks-day.schema.json", "PicksDay"],
  ["season.schema.json", "SeasonFile"],
  ["picks-index.schema.json", "PicksIndex"],
  ["manifest.schema.json", "Manifest"],
  ["status.schema.json", "Status"],
];
const BANNER = `/**
 * TypeScript declarations of the files picks-export publishes (v1/manifest.json, v1/status.json,
 * v1/picks/{date}.json, v1/picks/index.json, v1/subsets/...). Generated from the JSON Schemas in picks_export/schemas/json/ by
 * web/gen-types.mjs (json-schema-to-typescript): do not edit; run \`npm run --prefix web types\`.
 */`;

const declarations = new Map(); // name -> declaration text: a $def shared by two schemas is declared once
for (const [file, name] of FILES) {
  const schema = JSON.parse(readFileSync(join(schemas, file), "utf8"));
  // The root's title is a sentence for people; the type takes the name above.
  const code = await compile(withoutRefDescriptions({ ...schema, title: name }), name, {
    bannerComment: "",
    additionalProperties: false,
    unknownAny: true,
    style: { printWidth: 120 },
  });
  for (const text of topLevelBlocks(code)) {
    const found = text.match(/export (?:interface|type) (\w+)/);
    if (!found) throw new Error(`unexpected output of json-schema-to-typescript for ${file}:\n${text}`);
    const previous = declarations.get(found[1]);
    if (previous !== undefined && previous !== text) {
      throw new Error(`${found[1]} is declared differently by two schemas: give one of them another title`);
    }
    declarations.set(found[1], text);
  }
}
// A description beside a $ref would make json-schema-to-typescript declare a copy of the referenced type (Record1,
// Record2...); the referenced type keeps its own description, and the property's stays in the schema and docs.
function withoutRefDescriptions(node) {
  if (Array.isArray(node)) return node.map(withoutRefDescriptions);
  if (node === null || typeof node !== "object") return node;
  const entries = Object.entries(node).filter(([key]) => !(key === "description" && "$ref" in node));
  return Object.fromEntries(entries.map(([key, value]) => [key, key === "examples" ? value : withoutRefDescriptions(value)]));
}

// Each top-level declaration with the comment block above it (top-level lines start at column 0).
function topLevelBlocks(code) {
  const blocks = [];
  let current = [];
  let inComment = false;
  for (const line of code.split("\n")) {
    const startsComment = line.startsWith("/**");
    const startsDeclaration = line.startsWith("export ") && !inComment;
    if ((startsComment || startsDeclaration) && current.some((each) => each.startsWith("export "))) {
      blocks.push(current.join("\n").trim());
      current = [];
    }
    if (startsComment) inComment = true;
    current.push(line);
    if (line.startsWith(" */")) inComment = false;
    if (startsDeclaration) inComment = false;
  }
  blocks.push(current.join("\n").trim());
  return blocks.filter((block) => block);
}

const out = process.argv[2] ?? join(root, "picks_export", "schemas", "types", "picks-export.d.ts");
writeFileSync(out, `${BANNER}\n\n${[...declarations.values()].join("\n\n")}\n`);
