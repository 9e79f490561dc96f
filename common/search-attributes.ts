// Typed search attributes of hybridflow workflows, shown and filterable in the Temporal UI.
// Registered by `hybridflow dev` / `hybridflow temporal`; on a production server register them once with:
//   temporal operator search-attribute create --namespace <ns> --name FlowKind --type Keyword (and likewise each below)
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const FlowKind = defineSearchAttributeKey('FlowKind', SearchAttributeType.KEYWORD);
export const OvirtVmId = defineSearchAttributeKey('OvirtVmId', SearchAttributeType.KEYWORD);
export const EngineJobId = defineSearchAttributeKey('EngineJobId', SearchAttributeType.KEYWORD);
export const Vendor = defineSearchAttributeKey('Vendor', SearchAttributeType.KEYWORD);

export const searchAttributes = [FlowKind, OvirtVmId, EngineJobId, Vendor];
