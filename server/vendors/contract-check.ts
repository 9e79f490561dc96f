// Checks an activity registration: its schemas must be valid JSON Schema 2020-12, and an activity of the storage
// contract must accept the contract's input (else a flow would send it what it refuses).
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { storageContract, storageContractExamples, type StorageActivityName } from '../../common/storage-contract';
import { HttpProblem } from '../problem';
import type { ActivityRegistrationRequest } from './schemas';

const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: true });
addFormats(ajv);

const invalid = (field: string, message: string) =>
  new HttpProblem({
    status: 400,
    title: 'Invalid request',
    detail: `${field}: ${message}`,
    errors: [{ field, message }],
  });

// Ajv keeps every schema it compiled, keyed by the object: schemas read back from the database are new objects each
// time, so the compiled functions are kept here by their text instead.
const compiled = new Map<string, ValidateFunction>();

/** Compiles a schema (once per distinct schema), or throws the 400 naming the field. */
export function compileSchema(schema: Record<string, unknown>, field: string): ValidateFunction {
  const text = JSON.stringify(schema);
  const known = compiled.get(text);
  if (known) return known;
  const fn = compileOnce(schema, field);
  compiled.set(text, fn);
  return fn;
}

function compileOnce(schema: Record<string, unknown>, field: string): ValidateFunction {
  // A schema naming another dialect would be read by other rules: only 2020-12 (the default) is accepted.
  const dialect = schema.$schema;
  if (dialect !== undefined && dialect !== 'https://json-schema.org/draft/2020-12/schema')
    throw invalid(`${field}.$schema`, 'must be https://json-schema.org/draft/2020-12/schema (or left out)');
  try {
    const { $id: _id, ...rest } = schema; // ids would collide across vendors in one Ajv instance
    return ajv.compile(rest);
  } catch (err) {
    throw invalid(field, `is not a valid JSON Schema 2020-12 (${(err as Error).message})`);
  }
}

const isContractActivity = (name: string): name is StorageActivityName => Object.hasOwn(storageContract, name);

export function checkRegistration(name: string, req: ActivityRegistrationRequest): void {
  const input = compileSchema(req.inputSchema, 'body.inputSchema');
  compileSchema(req.outputSchema, 'body.outputSchema');
  if (isContractActivity(name) && !input(storageContractExamples[name])) {
    throw invalid(
      'body.inputSchema',
      `must accept the storage contract's ${name} input (${ajv.errorsText(input.errors, { dataVar: 'input' })})`,
    );
  }
}
