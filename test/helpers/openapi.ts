// Checks real API answers against the server's own OpenAPI document (JSON Schema 2020-12 in OpenAPI 3.1).
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

// Absolute ids, so that references resolve the same from every compiled check.
const BASE = 'https://hybridflow.invalid/';
const DOC_ID = `${BASE}openapi.json`;

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
};

export function openApiChecker(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  let checks = 0;
  return {
    /** Throws with the schema errors unless `body` is what the document promises for this answer. */
    check(method: string, path: string, status: number, contentType: string, body: unknown): void {
      const operation = doc.paths[path]?.[method.toLowerCase()];
      if (!operation) throw new Error(`${method} ${path} is not in the OpenAPI document`);
      const response = operation.responses[String(status)];
      if (!response) throw new Error(`${method} ${path}: status ${status} is not in the OpenAPI document`);
      const schema = response.content?.[contentType]?.schema;
      if (!schema) throw new Error(`${method} ${path} ${status}: no ${contentType} schema in the OpenAPI document`);
      const validate = ajv.compile({ $id: `${BASE}check/${++checks}`, allOf: [anchored(schema)] });
      if (!validate(body))
        throw new Error(`${method} ${path} ${status} does not match the document: ${ajv.errorsText(validate.errors)}`);
    },
  };
}

/** The schema with its `#/components/...` references pointing into the document. */
const anchored = (schema: unknown): unknown =>
  JSON.parse(JSON.stringify(schema), (key, value) =>
    key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${DOC_ID}${value}` : value,
  );
