// `pipebench schema`: the suite's JSON Schema on stdout, for editors and CI, e.g.
//   pipebench schema > pipebench.schema.json
// and, as a suite's first line: # yaml-language-server: $schema=pipebench.schema.json
import { driverSchemas } from "../drivers/index.js";
import { ExitCode } from "../errors.js";
import { suiteJsonSchema } from "../suite/json-schema.js";

/** The schema as the file `pipebench schema` prints and `init` writes. */
export function suiteSchemaText(): string {
  return `${JSON.stringify(suiteJsonSchema(driverSchemas), null, 2)}\n`;
}

export function schemaCommand(): number {
  process.stdout.write(suiteSchemaText());
  return ExitCode.ok;
}
