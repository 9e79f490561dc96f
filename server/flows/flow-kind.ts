// What a flow kind is: everything the API, its OpenAPI document, GET /flow-kinds, the CLI and the pages need to know
// of one workflow, declared once in kinds/<kind>.ts and listed in catalogue.ts.
import type { z } from 'zod';
import type { RouteErrors } from '../api/route';
import type { InventoryService } from '../inventory/service';
import type { VendorService } from '../vendors/service';

/** What a kind's `prepare` may use: the checks against the inventory and the vendor registry. */
export interface PrepareDeps {
  /** The source VM (resolved: 400 if unknown), a clone name (409 if taken), the vendor activities' inputs. */
  inventory: Pick<InventoryService, 'resolveSource' | 'requireFreeName' | 'requireFreeNames' | 'storageInputs'>;
  /** The vendor, resolved to its registration (400 if unknown or lacking the storage contract). */
  vendors: Pick<VendorService, 'resolve' | 'checkInputs'>;
}

/** What `prepare` makes of a valid request: the workflow's argument and what the flow is listed and found by. */
export interface PreparedFlow<I> {
  /** The workflow's one argument. */
  input: I;
  /** What the flow id names after the kind (the source VM's name): `<kind>-<subject>-<8 hex>`. */
  subject: string;
  /** Search attributes besides FlowKind: the vendor (`Vendor`) and the source VM's id (`OvirtVmId`). */
  searchAttributes: { vendor: string; ovirtVmId?: string };
  /**
   * The request as resolved, for its Idempotency-Key: the same key may come again only with the same fields here
   * (naming the source VM by name or by id is the same request, so it holds the id).
   */
  sameRequest: Record<string, unknown>;
  /**
   * Checks that only a new flow needs, run after a repeated Idempotency-Key found no flow (a repeat finds its clone
   * even though the clone's name is taken by then).
   */
  beforeStart?: () => Promise<void>;
}

/**
 * One flow kind. Methods (not function properties) so that a kind of any input type fits the catalogue's list.
 * @typeParam N its name: the start route `POST /api/v1/flows/<name>`, the `FlowKind` search attribute and filter
 * @typeParam S the zod schema of its start request: validation, type and OpenAPI/JSON Schema alike
 * @typeParam I the workflow's input
 */
export interface FlowKindDef<N extends string = string, S extends z.ZodType = z.ZodType, I = unknown> {
  name: N;
  /** One sentence: the start route's summary in the OpenAPI document, and the kind's in GET /flow-kinds. */
  description: string;
  input: S;
  /** The workflow function itself: Temporal takes its name, its parameter type checks `prepare`'s input. */
  workflow(input: I): Promise<unknown>;
  /** How the flow reads in lists and in the Temporal UI (its static summary). */
  summary(input: I): string;
  /** The start route's own error statuses, beyond those every start route gives (400, 422 for a reused key, ...). */
  errors?: RouteErrors;
  /** The server's checks before the start (each refusal an HttpProblem naming the field), then the workflow's input. */
  prepare(request: z.infer<S>, deps: PrepareDeps): Promise<PreparedFlow<I>>;
}

/** Declares a kind, keeping its literal name and types. */
export const defineFlowKind = <N extends string, S extends z.ZodType, I>(kind: FlowKindDef<N, S, I>) => kind;
