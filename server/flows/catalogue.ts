// The flow catalogue: every flow kind the API starts, each declared once in kinds/. From this list come the start
// routes and their OpenAPI entries (api/routes.ts), GET /api/v1/flow-kinds, the FlowKind enum of answers and of the
// flows list filter, and through those the CLI's `flows start` and the pages' kind filter.
import { z } from '../zod';
import type { FlowKindDef } from './flow-kind';
import { bulkCloneKind, bulkCloneMemberKind } from './kinds/bulk-clone';
import { clonePreflightKind } from './kinds/clone-preflight';
import { rapidCloneKind } from './kinds/rapid-clone';

export const flowCatalogue = [rapidCloneKind, clonePreflightKind, bulkCloneKind] as const;

/**
 * Parts of a flow that run as child workflows of their own, readable as flows (GET /api/v1/flows/{id}) though no start
 * route, listing or `?kind=` filter knows them: each is its workflow's child under a flow of `parentKind`.
 */
export const childFlowKinds = [bulkCloneMemberKind] as const;
export type ChildFlowKindName = (typeof childFlowKinds)[number]['name'];

export type CatalogueEntry = (typeof flowCatalogue)[number];
export type FlowKindName = CatalogueEntry['name'];

const names = flowCatalogue.map((kind) => kind.name) as [FlowKindName, ...FlowKindName[]];

export const FlowKind = z.enum(names).openapi('FlowKind');
export type FlowKind = z.infer<typeof FlowKind>;

/** The kind of this name; undefined for one the catalogue does not declare. */
export const flowKindNamed = (name: string): FlowKindDef | undefined =>
  (flowCatalogue as readonly FlowKindDef[]).find((kind) => kind.name === name);

type PascalCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Capitalize<Head>}${PascalCase<Tail>}`
  : Capitalize<S>;

/** The name of a kind's start route in the route table: 'rapid-clone' -> 'startRapidClone'. */
export type StartRouteName<N extends string = FlowKindName> = `start${PascalCase<N>}`;
export const startRouteName = <N extends string>(name: N) =>
  `start${name.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase())}` as StartRouteName<N>;

const inputSchemas = new Map<string, Record<string, unknown>>();

/** A kind's start request as JSON Schema (2020-12), as a client sends it: fields with defaults may be left out. */
export function inputJsonSchema(kind: FlowKindDef): Record<string, unknown> {
  let schema = inputSchemas.get(kind.name);
  if (!schema) inputSchemas.set(kind.name, (schema = z.toJSONSchema(kind.input, { io: 'input' })));
  return schema;
}
