import type { WireValue } from '../wire/cbor.ts';
import type { ReconcileStep } from './graph-neighbor.ts';
import type { ItemSet } from './reconcile/item-set.ts';
import { parseReconcileMessage, reconcileMessageToWire } from './reconcile/reconcile-messages.ts';
import { initiate, respond } from './reconcile/reconciler.ts';

/** The first reconciliation message for `set`, ready for the wire. */
export function reconcileStart(set: ItemSet): WireValue {
  return reconcileMessageToWire(initiate(set));
}

/** Checks and answers a peer's reconciliation message; a string is why it was refused. */
export function reconcileStep(set: ItemSet, body: WireValue): ReconcileStep | string {
  const parsed = parseReconcileMessage(body);
  if (!parsed.ok) return `reconcile-${parsed.reason}`;
  const { reply, have, need } = respond(set, parsed.message);
  return { reply: reply === undefined ? undefined : reconcileMessageToWire(reply), have, need };
}
