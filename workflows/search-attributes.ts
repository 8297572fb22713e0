// Typed keys of the search attributes registered by temporal-config/dev-server.ts. Never put a
// secret or any part of a leaked value here: search attributes are not encrypted.
import { defineSearchAttributeKey } from '@temporalio/common';

export const INCIDENT_ID = defineSearchAttributeKey('CordonIncidentId', 'KEYWORD');
export const PROVIDERS = defineSearchAttributeKey('CordonProviders', 'KEYWORD_LIST');
export const STAGE = defineSearchAttributeKey('CordonStage', 'KEYWORD');
export const OUTCOME = defineSearchAttributeKey('CordonOutcome', 'KEYWORD');
